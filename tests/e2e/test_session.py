"""One signed-in session per client in the page: await in the same cell, several clients at once,
reuse without a new sign-in, sign-out that revokes and ends the provider session, and a hostile
cell that finds no refresh or ID token."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, Page, expect

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, write_notebook
from .conftest import CLIENT_ID, OTHER_CLIENT_ID

BASE = "/user/alice/"


def _config(provider: Provider, client_id: str = CLIENT_ID) -> dict[str, str]:
    return {"authority": provider.issuer, "client_id": client_id, "scope": "openid profile"}


def _notebook(lab: Lab, cells: list[str]) -> str:
    name = f"session-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(lab.root / name, cells)
    return name


def _introspect(provider: Provider, token: str) -> dict[str, object]:
    r = requests.post(
        f"{provider.issuer}/token/introspection",
        data={"token": token},
        auth=("resource-server", "resource-server-secret"),
        timeout=10,
    )
    r.raise_for_status()
    return dict(r.json())


def _popup_for(nb: NotebookPage, index: int) -> Page:
    with nb.page.expect_popup() as popup_info:
        nb.run(index)
    return popup_info.value


def test_await_returns_the_token_in_the_same_cell(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    cell = (
        "import requests\nfrom ipython_oidc_client import authenticate\n"
        f"token = await authenticate({_config(provider)!r})\n"
        f"r = requests.get('{provider.issuer}/me', auth=token, timeout=10)\n"
        "print('same-cell', r.status_code, r.json()['sub'], token)"
    )
    nb = NotebookPage(context, lab, _notebook(lab, [cell]))
    sign_in(_popup_for(nb, 0), "carol")
    out = nb.wait_output(0, "same-cell")
    assert "same-cell 200 carol Token({'access_token': '" in out, out
    assert "…(" in out, "the Token's repr masks the access token"


def test_two_clients_get_independent_tokens_and_reuse_needs_no_new_sign_in(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    probe = (
        "import requests\nawait sa\nawait sb\n"
        "for name, t in (('a', a), ('b', b)):\n"
        f"    r = requests.get('{provider.issuer}/me', auth=t, timeout=10)\n"
        "    print('client', name, r.status_code, r.json()['sub'])\n"
        "print('distinct', a['access_token'] != b['access_token'])"
    )
    first = _notebook(
        lab,
        [
            "from ipython_oidc_client import Token, authenticate\na = Token()\n"
            f"sa = authenticate({_config(provider)!r}, a)",
            f"b = Token()\nsb = authenticate({_config(provider, OTHER_CLIENT_ID)!r}, b)",
            probe,
        ],
    )
    nb = NotebookPage(context, lab, first)
    sign_in(_popup_for(nb, 0), "dave")
    nb.wait_status("signed_in", index=0)
    # The provider remembers dave: the second client only asks for consent.
    popup = _popup_for(nb, 1)
    popup.click("button:has-text('Continue')", timeout=20_000)
    nb.wait_status("signed_in", index=1)
    out = nb.run_and_wait(2, "distinct")
    assert "client a 200 dave" in out and "client b 200 dave" in out and "distinct True" in out, out
    issued = [e for e in provider.issued() if "access_token" in e]
    by_client = {_introspect(provider, e["access_token"])["client_id"] for e in issued[-2:]}
    assert by_client == {CLIENT_ID, OTHER_CLIENT_ID}

    # The same config again, in another notebook of this JupyterLab tab: no popup, same token.
    popups: list[Page] = []
    nb.page.on("popup", lambda p: popups.append(p))
    again = (
        f"from ipython_oidc_client import authenticate\nc = {{}}\nsc = authenticate({_config(provider)!r}, c)"
    )
    # `await sc`: the page's messages and this cell travel on different kernel channels.
    second = _notebook(lab, [again, "await sc\nprint('reused', sorted(c), sc.status)"])
    nb.open_in_same_page(second)
    nb.run(0)
    nb.wait_status("signed_in", index=0)
    nb.run_and_wait(1, "reused ['access_token', 'expires_at', 'scope', 'token_type'] signed_in")
    # …and after a kernel restart (from JupyterLab's Kernel menu, as users do).
    nb.restart_kernel()
    nb.run(0)
    nb.run_and_wait(1, "reused ['access_token', 'expires_at', 'scope', 'token_type'] signed_in")
    assert popups == [], "reusing the page's session opened a sign-in window"


def test_sign_out_revokes_the_refresh_token_and_ends_the_provider_session(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    name = _notebook(
        lab,
        [
            f"from ipython_oidc_client import authenticate, logout\ntoken = {{}}\n"
            f"s = authenticate({_config(provider)!r}, token)",
            "logout(s)\nprint('after-logout', token)",
            f"s2 = authenticate({_config(provider)!r}, token)",
        ],
    )
    nb = NotebookPage(context, lab, name)
    before = len(provider.issued())
    sign_in(_popup_for(nb, 0), "erin")
    nb.wait_status("signed_in")
    refresh = next(e["refresh_token"] for e in provider.issued()[before:] if e.get("refresh_token"))
    assert _introspect(provider, refresh)["active"] is True

    popup = _popup_for(nb, 1)
    popup.click("button:has-text('Yes, sign me out')", timeout=20_000)
    popup.wait_for_event("close", timeout=20_000)
    # "Signed out." comes first (the tokens are gone here), then the provider's part is confirmed.
    expect(nb.widget(0)).to_contain_text("Signed out, here and at the provider", timeout=20_000)
    nb.wait_status("signed_out", index=0)
    nb.wait_output(1, "after-logout {}")
    assert _introspect(provider, refresh)["active"] is False

    # The provider's session has ended: signing in again asks for the login again.
    popup = _popup_for(nb, 2)
    expect(popup.locator("input[name=login]")).to_be_visible(timeout=20_000)


HOSTILE = r"""
from IPython.display import Javascript, display
display(Javascript('''
(async () => {
  window.__hostileMarker = {deep: {value: "hostile-walker-reached-" + "depth-two"}};
  const out = [];
  const seen = new WeakSet();
  let budget = 400000;
  const walk = (v, depth) => {
    if (budget-- <= 0) return;
    if (typeof v === "string") { out.push(v); return; }
    if (v === null || (typeof v !== "object" && typeof v !== "function") || depth > 5) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) { walk(k, depth + 1); walk(x, depth + 1); }
    let keys = [];
    try { keys = Object.getOwnPropertyNames(v); } catch (e) { return; }
    for (const k of keys) { let x; try { x = v[k]; } catch (e) { continue; } walk(x, depth + 1); }
  };
  for (const k of Object.getOwnPropertyNames(window)) {
    let x; try { x = window[k]; } catch (e) { continue; } walk(x, 0);
  }
  out.push(JSON.stringify({...sessionStorage}), JSON.stringify({...localStorage}), document.cookie);
  out.push("END-OF-DUMP");
  const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "");
  const base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl;
  await fetch(base + "api/contents/DUMP", {
    method: "PUT",
    headers: {"X-XSRFToken": xsrf, "Content-Type": "application/json"},
    body: JSON.stringify({type: "file", format: "text", content: out.join("\\n")}),
  });
})();
'''))
"""


def test_hostile_cell_finds_no_refresh_or_id_token_in_the_page(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    dump = f"hostile-{uuid.uuid4().hex[:8]}.txt"
    name = _notebook(
        lab,
        [
            "from ipython_oidc_client import authenticate\ntoken = {}\n"
            f"s = authenticate({_config(provider)!r}, token)",
            HOSTILE.replace("DUMP", dump),
        ],
    )
    nb = NotebookPage(context, lab, name)
    before = len(provider.issued())
    sign_in(_popup_for(nb, 0), "frank")
    nb.wait_status("signed_in")
    tokens = next(e for e in provider.issued()[before:] if e.get("refresh_token"))
    nb.run(1)
    path: Path = lab.root / dump
    # The server writes the file in place: wait for its last line, not for it to exist.
    deadline = time.monotonic() + 60
    while not (path.exists() and path.read_text().endswith("END-OF-DUMP")) and time.monotonic() < deadline:
        time.sleep(0.1)
    found = path.read_text()
    assert "hostile-walker-reached-depth-two" in found, "the walker did not work"
    assert tokens["refresh_token"] not in found
    assert tokens["id_token"] not in found
