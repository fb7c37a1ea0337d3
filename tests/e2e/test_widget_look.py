"""How the widget looks, in JupyterLab's light and dark theme: each state is driven for real (a sign-in,
one without refresh tokens, a closed sign-in window, an unknown provider, a sign-out) and pictured as
<state>-<theme>.png: into docs/pictures with UPDATE_PICTURES=1, else into the test's temporary
directory, so that a run leaves the checkout as it was (each picture shows the clock). In each state
the text is readable against its background (WCAG contrast from the page's computed colours) and
no button wraps at 600 or 1200 px wide."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect

from ._page import NotebookPage, sign_in
from ._procs import free_port
from ._stack import Lab, Provider, start_lab, start_provider, unique, write_notebook

ROOT = Path(__file__).resolve().parents[2]
DOCS_PICTURES = ROOT / "docs" / "pictures"
CLIENT = "look"
NO_REFRESH = "look-no-refresh"
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
# Pictured states, in the order the tour reaches them.
# Named by the widget's data-status; the second error picture by what went wrong.
STATES = ["signing_in", "signed_in", "renew_needed", "error", "error_unknown_provider", "signed_out"]
# The largest a picture may be: element screenshots of one widget, not of the page.
MAX_PICTURE_BYTES = 60_000
WIDTHS = [600, 1200]

# Per element of the widget: its colour over its effective background (the ancestors' backgrounds
# composited, alpha included), as a WCAG 2.x contrast ratio; and whether each button holds one line.
MEASURE = """
(root) => {
  const parse = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error(`unparsed colour ${css}`);
    const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined || Number.isNaN(a) ? 1 : a];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / (a || 1);
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reduceRight((acc, layer) => over(layer, acc), [255, 255, 255, 1]);
  };
  const luminance = ([r, g, b]) => {
    const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (el) => {
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
  };
  const visible = (el) => el.getClientRects().length > 0;
  const named = (el) =>
    (el.matches(".ipython-oidc-client-message") ? "" : `${el.parentElement.className}/`) + el.className;
  const parts =
    ".ipython-oidc-client-message, .ipython-oidc-client-details > span > span:not(.ipython-oidc-client-sep)";
  const text = [...root.querySelectorAll(parts)]
    .filter(visible)
    .map((el) => ({ name: named(el), text: el.textContent, ratio: contrast(el) }));
  const box = root.getBoundingClientRect();
  const buttons = [...root.querySelectorAll("button")].filter(visible).map((button) => {
    const range = document.createRange();
    range.selectNodeContents(button);
    const rect = button.getBoundingClientRect();
    const lineHeight = parseFloat(getComputedStyle(button).lineHeight);
    return {
      label: button.textContent,
      ratio: contrast(button),
      lines: range.getClientRects().length,
      height: rect.height,
      lineHeight,
      inside: rect.left >= box.left - 0.5 && rect.right <= box.right + 0.5,
    };
  });
  return { text, buttons, width: box.width };
}
"""


@dataclass
class Tour:
    theme: str
    folder: Path
    pictures: dict[str, Path] = field(default_factory=dict)
    # state -> viewport width -> what MEASURE found
    measured: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def look_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Provider]]:
    port = free_port()
    uris = [f"http://127.0.0.1:{port}/oidc/redirect.html"]
    idp = start_provider(
        tmp_path_factory.mktemp("look-provider"),
        [
            {"client_id": CLIENT, "redirect_uris": uris},
            {"client_id": NO_REFRESH, "redirect_uris": uris, "grant_types": ["authorization_code"]},
        ],
        access_token_ttl=900,
    )
    try:
        corp = {"authority": idp.issuer, "client_id": CLIENT, "scope": "openid profile"}
        lab = start_lab(
            tmp_path_factory.mktemp("look-lab"), port=port, registry={"providers": {"corp": corp}}
        )
        try:
            yield lab, idp
        finally:
            lab.server.stop()
    finally:
        idp.server.stop()


def _set_theme(lab: Lab, theme: str) -> None:
    """JupyterLab's settings API, as the Settings > Theme menu writes it."""
    r = requests.put(
        f"{lab.url}lab/api/settings/@jupyterlab/apputils-extension:themes",
        headers={"Authorization": f"token {lab.token}"},
        data=json.dumps({"raw": json.dumps({"theme": THEMES[theme]})}),
        timeout=10,
    )
    assert r.status_code in (200, 204), r.text


def _settle(page: Page) -> None:
    """After a resize: wait until the browser has laid out and painted twice."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _picture(tour: Tour, state: str, widget: Locator, page: Page) -> None:
    tour.measured[state] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _settle(page)
        tour.measured[state][width] = widget.evaluate(MEASURE)
    page.set_viewport_size({"width": 1000, "height": 900})
    page.mouse.move(0, 0)  # no button hovered in the picture
    _settle(page)
    path = tour.folder / f"{state}-{tour.theme}.png"
    widget.screenshot(path=str(path), animations="disabled", caret="hide")
    tour.pictures[state] = path


def _drive(tour: Tour, nb: NotebookPage, issuer: str) -> None:
    page = nb.page

    # Signing in: the sign-in window is open; pictured before the widget's hint (8 s) replaces the text.
    with page.expect_popup() as popup_info:
        nb.run(0)
    popup = popup_info.value
    expect(nb.widget(0)).to_have_attribute("data-status", "signing_in", timeout=20_000)
    expect(nb.widget(0)).to_contain_text("Signing in at corp")
    expect(nb.widget(0).locator("button")).to_have_text(["Cancel"])
    tour.pictures["signing_in"] = tour.folder / f"signing_in-{tour.theme}.png"
    nb.widget(0).screenshot(path=str(tour.pictures["signing_in"]), animations="disabled", caret="hide")
    expect(nb.widget(0)).to_contain_text("Signing in at corp")  # the picture shows that text
    sign_in(popup, "alice")

    text = nb.wait_status("signed_in", index=0)
    assert "Signed in as Alice Example" in text and "renewed automatically" in text, text
    expect(nb.widget(0).locator("button")).to_have_text(["Renew", "Sign out"])
    details = nb.widget(0).locator(".ipython-oidc-client-details")
    expect(details).to_contain_text("corp")
    expect(details).to_contain_text("Alice Example")
    # Relative and absolute, with date and zone: this context runs en-GB in UTC.
    expiry = re.compile(r"expires in 1[45] minutes\s*·\s*\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC")
    expect(details).to_contain_text(expiry, use_inner_text=True)
    _picture(tour, "signed_in", nb.widget(0), page)

    # A client without refresh tokens: the provider remembers alice, asks consent for this client.
    with page.expect_popup() as popup_info:
        nb.run(1)
    popup_info.value.click("button:has-text('Continue')", timeout=20_000)
    text = nb.wait_status("renew_needed", index=1)
    assert "gives no refresh token: click Renew" in text, text
    expect(nb.widget(1).locator("button")).to_have_text(["Renew", "Sign out"])
    expect(nb.widget(1).locator(".ipython-oidc-client-provider-name")).to_have_text(issuer.split("//")[1])
    _picture(tour, "renew_needed", nb.widget(1), page)

    # A sign-in window closed before the sign-in finished (here at the consent for another scope).
    with page.expect_popup() as popup_info:
        nb.run(2)
    popup = popup_info.value
    popup.wait_for_selector("button:has-text('Continue')", timeout=20_000)
    popup.close()
    text = nb.wait_status("error", index=2, timeout=10_000)
    assert "sign-in window was closed" in text and "Click Sign in to try again" in text, text
    expect(nb.widget(2).locator("button")).to_have_text(["Sign in"])
    _picture(tour, "error", nb.widget(2), page)

    # A provider the administrator did not configure: said with the names there are, no window.
    nb.run(3)
    text = nb.wait_status("error", index=3)
    assert 'No provider named "crop" is configured on this server. Configured: "corp".' in text, text
    expect(nb.widget(3).locator("button")).to_have_text(["Sign in"])
    _picture(tour, "error_unknown_provider", nb.widget(3), page)

    # Signing out from the widget's own button: here and at the provider.
    with page.expect_popup() as popup_info:
        nb.widget(0).locator("button", has_text="Sign out").click()
    popup_info.value.click("button:has-text('Yes, sign me out')", timeout=20_000)
    # "Signed out." comes first (the tokens are gone here), then the provider's part is confirmed.
    expect(nb.widget(0)).to_contain_text("Signed out, here and at the provider", timeout=20_000)
    nb.wait_status("signed_out", index=0)
    expect(nb.widget(0).locator("button")).to_have_text(["Sign in"])
    _picture(tour, "signed_out", nb.widget(0), page)


@pytest.fixture(scope="module", params=list(THEMES))
def tour(
    request: pytest.FixtureRequest,
    look_stack: tuple[Lab, Provider],
    browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Tour]:
    """Every pictured state, reached once in one theme; its pictures saved, its measures kept."""
    lab, idp = look_stack
    theme: str = request.param
    _set_theme(lab, theme)
    name = f"look-{theme}-{uuid.uuid4().hex[:8]}.ipynb"
    # Each theme's tour signs in anew: the server's keeper would otherwise hand it the last tour's session.
    no_refresh = unique({"authority": idp.issuer, "client_id": NO_REFRESH})
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import Token, authenticate\ns = authenticate('corp', Token())",
            f"s2 = authenticate({no_refresh!r}, Token())",
            f"s3 = authenticate({{**{no_refresh!r}, 'scope': 'openid email'}}, Token())",
            "s4 = authenticate('crop', Token())",
        ],
    )
    update = os.environ.get("UPDATE_PICTURES") == "1"
    folder = DOCS_PICTURES if update else tmp_path_factory.mktemp(f"pictures-{theme}")
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="en-GB", timezone_id="UTC", viewport={"width": 1000, "height": 900}, device_scale_factor=1
    )
    try:
        nb = NotebookPage(context, lab, name)
        expect(nb.page.locator("body")).to_have_attribute("data-jp-theme-name", THEMES[theme])
        result = Tour(theme, folder)
        _drive(result, nb, idp.issuer)
        assert nb.errors == [], nb.errors
        yield result
    finally:
        context.close()
        _set_theme(lab, "light")


def test_each_state_is_pictured_in_both_themes(tour: Tour) -> None:
    assert list(tour.pictures) == STATES
    for path in tour.pictures.values():
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG"), path
        assert len(data) <= MAX_PICTURE_BYTES, f"{path.name}: {len(data)} bytes"


def test_the_text_is_readable_against_its_background(tour: Tour) -> None:
    """WCAG 2.x: at least 4.5:1 for the sentence and the details, 3:1 for button labels."""
    low = []
    for state, by_width in tour.measured.items():
        measured = by_width[1200]
        low += [(state, t["name"], t["ratio"]) for t in measured["text"] if t["ratio"] < 4.5]
        low += [(state, b["label"], b["ratio"]) for b in measured["buttons"] if b["ratio"] < 3]
        assert measured["text"] and measured["buttons"], (state, measured)
    assert not low, f"{tour.theme}: too little contrast: {low}"
    print(tour.theme, {s: _ratios(m[1200]) for s, m in tour.measured.items()})


def _ratios(measured: dict[str, Any]) -> dict[str, float]:
    return {
        **{t["name"].replace("ipython-oidc-client-", ""): t["ratio"] for t in measured["text"]},
        **{b["label"]: b["ratio"] for b in measured["buttons"]},
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_no_button_wraps(tour: Tour, width: int) -> None:
    """Each button's label is one line box, the button one line tall, and inside the widget."""
    for state, by_width in tour.measured.items():
        for b in by_width[width]["buttons"]:
            assert b["lines"] == 1, (tour.theme, width, state, b)
            assert b["height"] < 2 * b["lineHeight"], (tour.theme, width, state, b)
            assert b["inside"], (tour.theme, width, state, b, by_width[width]["width"])


def test_every_picture_the_docs_show_exists() -> None:
    """README.md and docs/*.md: every ![…](…) that points into the repository names a file there."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    missing = []
    for page in pages:
        for target in re.findall(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)", page.read_text()):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # another site's picture
            if not (page.parent / target.split("#")[0]).is_file():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert not missing, f"pictures that do not exist: {missing}"
    shown = (ROOT / "docs" / "widget.md").read_text()
    for state in STATES:
        for theme in THEMES:
            assert f"pictures/{state}-{theme}.png" in shown, f"docs/widget.md does not show {state}-{theme}"
