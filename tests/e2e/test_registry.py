"""An administrator's providers, dropped into a config directory as a jupyter_server_config.d file:
a notebook signs in with ``authenticate("corp")``, adds scope where it may, and is told plainly
when it names a provider that is not there. The kernel never holds the provider's settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from ._page import NotebookPage, sign_in
from ._procs import free_port
from ._stack import Lab, Provider, start_lab, start_provider, write_notebook

CLIENT = "admin-notebooks"


@pytest.fixture(scope="module")
def registry_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Provider]]:
    port = free_port()
    idp = start_provider(
        tmp_path_factory.mktemp("registry-provider"),
        [{"client_id": CLIENT, "redirect_uris": [f"http://127.0.0.1:{port}/oidc/redirect.html"]}],
    )
    try:
        corp = {"authority": idp.issuer, "client_id": CLIENT, "scope": "openid profile"}
        lab = start_lab(
            tmp_path_factory.mktemp("registry-lab"), port=port, registry={"providers": {"corp": corp}}
        )
        try:
            yield lab, idp
        finally:
            lab.server.stop()
    finally:
        idp.server.stop()


def _userinfo(issuer: str, var: str) -> str:
    return (
        "import requests\n"
        f"auth = {{'Authorization': 'Bearer ' + {var}['access_token']}}\n"
        f"r = requests.get('{issuer}/me', headers=auth, timeout=10)\n"
        f"print('userinfo', r.status_code, r.json()['sub'], sorted(r.json()), {var}['scope'])"
    )


def test_a_notebook_signs_in_with_the_administrators_provider_by_name(
    registry_stack: tuple[Lab, Provider], context: BrowserContext, tmp_path: Path
) -> None:
    lab, idp = registry_stack
    name = f"registry-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import authenticate, Token\n"
            "token = Token()\ns = authenticate('corp', token)",
            "await s\n" + _userinfo(idp.issuer, "token"),
            # The only provider, by default; the live session is shared, no second sign-in.
            "other = await authenticate(token=Token())\n"
            "print('same', other['access_token'] == token['access_token'])",
            # Adding to the provider: another scope is another session, another sign-in.
            "wide = Token()\nw = authenticate({'provider': 'corp', 'scope': 'openid profile email'}, wide)",
            "await w\n" + _userinfo(idp.issuer, "wide"),
            "needle = 'admin-' + 'notebooks'\n"
            "history = {'In', 'Out', '_ih', '_oh', 'needle'}\n"
            "known = [k for k, v in globals().items() if k not in history and not k.startswith('_i')\n"
            "         and needle in repr(v) + repr(getattr(v, 'widget', None) and v.widget.get_state())]\n"
            "print('kernel knows', known, s.widget.config, w.widget.config['provider'])",
        ],
    )
    nb = NotebookPage(context, lab, name)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "alice")
    text = nb.wait_status("signed_in")
    assert "Signed in as Alice Example" in text, text
    out = nb.run_and_wait(1, "userinfo")
    assert "userinfo 200 alice" in out and "'email'" not in out, out

    assert "same True" in nb.run_and_wait(2, "same")

    with nb.page.expect_popup() as popup_info:
        nb.run(3)
    popup = popup_info.value
    popup.wait_for_selector("button:has-text('Continue')", timeout=20_000)  # consent to the new scope
    popup.click("button:has-text('Continue')")
    nb.wait_status("signed_in", index=3)
    out = nb.run_and_wait(4, "userinfo")
    assert "userinfo 200 alice" in out and "'email'" in out and "email" in out.split("]")[-1], out

    # The provider's client id reached the page, never the kernel.
    out = nb.run_and_wait(5, "kernel knows")
    assert "kernel knows [] {'provider': 'corp'} corp" in out, out
    assert not [e for e in nb.errors if "oidc" in e.lower()], nb.errors


def test_an_unknown_provider_name_lists_the_configured_ones(
    registry_stack: tuple[Lab, Provider], context: BrowserContext
) -> None:
    lab, _ = registry_stack
    name = f"registry-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import authenticate\ns = authenticate('crop')",
            "try:\n    await s\nexcept Exception as e:\n    print('raised', type(e).__name__, e.error)",
        ],
    )
    nb = NotebookPage(context, lab, name)
    nb.run(0)
    text = nb.wait_status("error")
    assert 'No provider named "crop" is configured on this server. Configured: "corp".' in text, text
    assert "raised AuthenticationError unknown_provider" in nb.run_and_wait(1, "raised")
