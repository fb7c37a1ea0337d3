"""Full-page redirect mode: the tab goes to the provider and back to the notebook, the token reaches
the still-running kernel without re-running the cell, and nothing of the sign-in is left behind."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from playwright.sync_api import BrowserContext

from ._page import NotebookPage
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"


@pytest.mark.parametrize("frontend", ["lab", "notebook", "classic"])
def test_redirect_mode_signs_in_and_comes_back_to_the_notebook(
    frontend: str, labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    name = f"redirect-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"})
    write_notebook(
        lab.root / name,
        [
            f"from ipython_oidc_client import authenticate\ntoken = {{}}\n"
            f"s = authenticate({config!r}, token, mode='redirect')",
            "import requests\nawait s\n"
            f"bearer = {{'Authorization': 'Bearer ' + token['access_token']}}\n"
            f"r = requests.get('{provider.issuer}/me', headers=bearer)\n"
            "print('back', r.status_code, r.json()['sub'], sorted(token))",
        ],
    )
    nb = NotebookPage(context, lab, name, frontend)
    before = len(provider.issued())
    nb.redirect_trip(0, provider.issuer, "grace")

    out = nb.run_and_wait(1, "back")
    assert "back 200 grace ['access_token', 'expires_at', 'scope', 'token_type']" in out, out

    issued = provider.issued()[before:]
    tokens = next(e for e in issued if "access_token" in e)
    code = next(e["code"] for e in issued if "code" in e)
    after = nb.storage()
    assert "ipython-oidc-client." not in after, "the trip's state was not deleted on use"
    for secret in (tokens["refresh_token"], tokens["id_token"], tokens["access_token"], code):
        assert secret not in after
    assert not [c for c in context.cookies() if c["name"] == "ipython_oidc_client_return"]


def test_a_kernel_restarted_during_the_trip_leaves_nothing_usable_in_the_tab(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    """The callback page hands the provider's answer to the server's keeper itself: the tab never holds
    the code, the verifier or a token — only which widget left and the outcome (a session's view) —
    and a trip whose widget never comes back (its kernel was restarted) is cleared when a widget next
    loads in the tab."""
    lab = labs[BASE]
    name = f"redirect-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID})
    write_notebook(
        lab.root / name,
        [
            f"from ipython_oidc_client import authenticate\ns = authenticate({config!r}, mode='redirect')",
            "from ipython_oidc_client import authenticate\nauthenticate('no-such-provider')",
        ],
    )
    nb = NotebookPage(context, lab, name)

    def restart_kernel() -> None:
        auth = {"Authorization": f"token {lab.token}"}
        sessions = requests.get(f"{lab.url}api/sessions", headers=auth, timeout=10).json()
        kernel = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(name))
        requests.post(f"{lab.url}api/kernels/{kernel}/restart", headers=auth, timeout=30).raise_for_status()

    before = len(provider.issued())
    nb.redirect_trip(0, provider.issuer, "heidi", at_provider=restart_kernel)
    issued = provider.issued()[before:]
    secrets = [
        e[k] for e in issued for k in ("code", "access_token", "refresh_token", "id_token") if e.get(k)
    ]
    assert len(secrets) >= 4, "the provider issued no code and tokens"
    held = json.loads(nb.storage())["session"]
    assert held, "the trip's outcome should still be in the tab (nobody came back for it yet)"
    assert not [s for s in secrets if any(s in value for value in held.values())], (
        "a code or token in the tab"
    )
    assert not any("code_verifier" in value or "nonce" in value for value in held.values()), held

    # A widget loading in the tab clears the trip nobody came back for, within its claim window.
    nb.run(1)
    nb.wait_status("error", index=1)
    deadline = time.monotonic() + 40
    while "ipython-oidc-client." in nb.storage():
        assert time.monotonic() < deadline, nb.storage()
        nb.page.wait_for_timeout(250)  # polling page state with a deadline
