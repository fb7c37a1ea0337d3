"""Full-page redirect mode: the tab goes to the provider and back to the notebook, the token reaches
the still-running kernel without re-running the cell, and nothing of the sign-in is left behind."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import BrowserContext

from ._page import NotebookPage
from ._stack import Lab, Provider, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"


@pytest.mark.parametrize("frontend", ["lab", "notebook", "classic"])
def test_redirect_mode_signs_in_and_comes_back_to_the_notebook(
    frontend: str, labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    name = f"redirect-{uuid.uuid4().hex[:8]}.ipynb"
    config = {"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"}
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
