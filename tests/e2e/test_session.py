"""One session per config at the server's keeper: await in the same cell, several clients at once,
reuse without a new sign-in, sign-out that revokes and ends the provider session. (The hostile cell
is in test_hostile.py.)"""

from __future__ import annotations

import uuid

import requests
from playwright.sync_api import BrowserContext, Page, expect

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID, OTHER_CLIENT_ID

BASE = "/user/alice/"


def _config(provider: Provider, client_id: str = CLIENT_ID) -> dict[str, object]:
    """A config of this test's own: the server's keeper would otherwise hand it another test's session."""
    return unique({"authority": provider.issuer, "client_id": client_id, "scope": "openid profile"})


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
    config_a, config_b = _config(provider), _config(provider, OTHER_CLIENT_ID)
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
            f"sa = authenticate({config_a!r}, a)",
            f"b = Token()\nsb = authenticate({config_b!r}, b)",
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
    again = f"from ipython_oidc_client import authenticate\nc = {{}}\nsc = authenticate({config_a!r}, c)"
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


def test_sign_out_revokes_the_refresh_token_and_ends_the_session_for_every_notebook(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    """Two notebooks of one page use one session; signing out in the second ends it for both, revokes
    the refresh token, and ends the provider's session."""
    lab = labs[BASE]
    config = _config(provider)
    first = _notebook(
        lab,
        [
            f"from ipython_oidc_client import authenticate, logout\ntoken = {{}}\n"
            f"s = authenticate({config!r}, token)",
            "print('after-logout', token, s.status)",
            f"s3 = authenticate({config!r}, token)",
        ],
    )
    second = _notebook(
        lab,
        [
            f"from ipython_oidc_client import authenticate, logout\nt2 = {{}}\n"
            f"s2 = authenticate({config!r}, t2)",
            "logout(s2)\nprint('second-after-logout', t2)",
        ],
    )
    nb = NotebookPage(context, lab, first)
    before = len(provider.issued())
    sign_in(_popup_for(nb, 0), "erin")
    nb.wait_status("signed_in")
    refresh = next(e["refresh_token"] for e in provider.issued()[before:] if e.get("refresh_token"))
    assert _introspect(provider, refresh)["active"] is True

    nb.open_in_same_page(second)
    nb.run(0)
    nb.wait_status("signed_in")  # the same session: no window
    popup = _popup_for(nb, 1)
    popup.click("button:has-text('Yes, sign me out')", timeout=20_000)
    popup.wait_for_event("close", timeout=20_000)
    # "Signed out." comes first (the tokens are gone here), then the provider's part is confirmed.
    expect(nb.widget(0)).to_contain_text("Signed out, here and at the provider", timeout=20_000)
    nb.wait_output(1, "second-after-logout {}")
    assert _introspect(provider, refresh)["active"] is False

    # The first notebook's widget and kernel heard it from the keeper.
    nb.page.locator(".lm-TabBar-tab", has_text=first).click()
    expect(nb.cell(0)).to_contain_text("s = authenticate(")
    nb.wait_status("signed_out", index=0)
    nb.run_and_wait(1, "after-logout {} signed_out")

    # The provider's session has ended: signing in again asks for the login again.
    popup = _popup_for(nb, 2)
    expect(popup.locator("input[name=login]")).to_be_visible(timeout=20_000)
