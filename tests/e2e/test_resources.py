"""Tokens per API from one sign-in (docs/resources.md), end to end: oidc-provider with resource
indicators (RFC 8707) and two APIs on 127.0.0.1 that check the token's signature and audience. One
sign-in in the widget; then ``token.for_resource`` gives each API its own token, with no window; each
API takes its own and refuses the other's; a resource the provider does not serve is said with its
name, and the parameter. The same by token exchange (RFC 8693), where the config's target says so."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from playwright.sync_api import BrowserContext, Page

from ._api import LocalApi
from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, start_provider, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GRANTS = ["authorization_code", "refresh_token", EXCHANGE]


class Api(LocalApi):
    """Accepts a JWT access token signed by the provider for its own URI; 401 otherwise."""

    def __init__(self) -> None:
        self.keys: jwt.PyJWKClient | None = None
        super().__init__(self._answer)

    def _answer(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        token = authorization.removeprefix("Bearer ")
        assert self.keys is not None
        try:
            key = self.keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256", "PS256", "ES256"], audience=self.url)
        except jwt.PyJWTError as err:
            return 401, {}, {"error": "invalid_token", "why": type(err).__name__}
        return 200, {}, {"aud": claims["aud"], "scope": claims.get("scope")}


@pytest.fixture(scope="module")
def apis(
    tmp_path_factory: pytest.TempPathFactory, labs: dict[str, Lab]
) -> Iterator[tuple[Provider, Api, Api]]:
    first, second = Api(), Api()
    idp = start_provider(
        tmp_path_factory.mktemp("resources-provider"),
        [{"client_id": CLIENT_ID, "redirect_uris": [labs[BASE].redirect_uri()], "grant_types": GRANTS}],
        resource_indicators=[first.url, second.url],
        token_exchange=True,
    )
    jwks_uri = requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=10).json()["jwks_uri"]
    first.keys = second.keys = jwt.PyJWKClient(jwks_uri)
    try:
        yield idp, first, second
    finally:
        idp.server.stop()
        first.stop()
        second.stop()


def signed_in(context: BrowserContext, lab: Lab, name: str) -> tuple[NotebookPage, list[Page]]:
    """The notebook ``name`` open, its first cell run and signed in through the popup; then every
    window the page opens is kept in the list (none should: tokens per API need none)."""
    nb = NotebookPage(context, lab, name)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "alice")
    nb.wait_status("signed_in")
    windows: list[Page] = []
    nb.page.on("popup", lambda popup: windows.append(popup))
    return nb, windows


def test_one_sign_in_gives_each_api_its_own_token_without_a_window(
    labs: dict[str, Lab], apis: tuple[Provider, Api, Api], context: BrowserContext
) -> None:
    idp, first, second = apis
    lab = labs[BASE]
    config = {
        "authority": idp.issuer,
        "client_id": CLIENT_ID,
        "scope": "openid profile api",
        "resources": {"first": first.url},  # by name
        "resource": second.url,  # by URI: asked for at sign-in all the same (RFC 8707 §2.1)
        "extraQueryParams": {"x_e2e": uuid.uuid4().hex[:8]},  # a session of its own
    }
    call = "lambda t, api: requests.get(api, auth=t, timeout=10).status_code"
    name = f"resources-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import Token, authenticate\ntoken = Token()\n"
            f"s = authenticate({config!r}, token)",
            "import requests, time\nawait s\n"
            f"status = {call}\n"
            "started = time.monotonic()\n"
            "a = token.for_resource('first')\n"
            f"b = token.for_resource({second.url!r})\n"
            "took = time.monotonic() - started\n"
            f"print('apis', status(a, {first.url!r}), status(b, {second.url!r}),"
            f" status(b, {first.url!r}), status(token, {first.url!r}),"
            " token.for_resource('first') is a, f'{took:.2f}')",
            "try:\n    token.for_resource('https://unknown.example/')\n"
            "except Exception as err:\n    print('refused', type(err).__name__, err.error, '|', err.message)",
        ],
    )
    nb, windows = signed_in(context, lab, name)
    out = nb.run_and_wait(1, "apis")
    fields = out.split()
    # Each API takes its own token, refuses the other's and the sign-in's own (userinfo's).
    assert fields[1:6] == ["200", "200", "401", "401", "True"], out
    refused = nb.run_and_wait(2, "refused")
    assert "AuthenticationError invalid_target" in refused, refused
    assert "refused a token for the resource https://unknown.example/ (invalid_target; RFC 8707)" in refused
    assert windows == [], "a token for an API opened a window"
    grants = [e.get("grant_type") for e in idp.issued() if e.get("access_token")]
    assert grants == ["authorization_code", "refresh_token", "refresh_token"], grants
    print(f"for_resource twice in the kernel: {fields[6]} s")


def test_token_exchange_gives_each_api_its_own_token_without_a_window(
    labs: dict[str, Lab], apis: tuple[Provider, Api, Api], context: BrowserContext
) -> None:
    idp, first, second = apis
    lab = labs[BASE]
    config = {
        "authority": idp.issuer,
        "client_id": CLIENT_ID,
        "scope": "openid profile",
        "resources": {
            "first": {"resource": first.url, "exchange": True},
            "second": {"audience": second.url, "exchange": True},  # Keycloak's way: by audience
        },
        "extraQueryParams": {"x_e2e": uuid.uuid4().hex[:8]},  # a session of its own
    }
    before = len(idp.issued())
    call = "lambda t, api: requests.get(api, auth=t, timeout=10).status_code"
    name = f"exchange-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import Token, authenticate\ntoken = Token()\n"
            f"s = authenticate({config!r}, token)",
            "import requests\nawait s\n"
            f"status = {call}\n"
            "a, b = token.for_resource('first'), token.for_resource('second')\n"
            f"print('apis', status(a, {first.url!r}), status(b, {second.url!r}), status(a, {second.url!r}),"
            " token.for_resource('second') is b)",
        ],
    )
    nb, windows = signed_in(context, lab, name)
    out = nb.run_and_wait(1, "apis")
    # Each API takes the token exchanged for it and refuses the other's.
    assert out.split()[1:5] == ["200", "200", "401", "True"], out
    assert windows == [], "a token exchange opened a window"
    grants = [e.get("grant_type") for e in idp.issued()[before:] if e.get("access_token")]
    assert grants == ["authorization_code", EXCHANGE, EXCHANGE], grants
