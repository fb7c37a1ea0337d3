"""The keeper's authorization request (ipython_oidc_client/_keeper/authorize.py): PKCE S256 of its own
verifier, a fresh state and nonce, the code in the fragment by default, the config's parameters; and
the session key, which every setting that decides the tokens changes and the page's own ones do not."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from ipython_oidc_client._keeper.authorize import authorization_request, session_key
from ipython_oidc_client._native.config import native_config

ISSUER = "https://idp.example/realms/lab"
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth?kc_idp_hint=corp",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/jwks",
}
REDIRECT = "https://hub.example/user/ada/oidc/redirect.html"
CONFIG: dict[str, Any] = {"authority": ISSUER, "client_id": "notebook", "scope": "openid profile"}


def request(**extra: Any) -> tuple[dict[str, list[str]], str, str, str]:
    url, state, verifier, nonce = authorization_request(
        native_config({**CONFIG, **extra}), METADATA, REDIRECT
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ISSUER}/auth"
    assert not parts.fragment
    return parse_qs(parts.query), state, verifier, nonce


def one(query: dict[str, list[str]], name: str) -> str:
    assert len(query[name]) == 1, name
    return query[name][0]


def test_the_request_carries_the_s256_challenge_of_its_own_verifier_state_and_nonce() -> None:
    query, state, verifier, nonce = request()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert one(query, "code_challenge") == challenge
    assert one(query, "code_challenge_method") == "S256"
    assert one(query, "state") == state and one(query, "nonce") == nonce
    assert verifier not in repr(query)  # only its digest leaves the keeper
    assert 43 <= len(verifier) <= 128  # RFC 7636 §4.1
    assert (one(query, "response_type"), one(query, "client_id")) == ("code", "notebook")
    assert (one(query, "redirect_uri"), one(query, "scope")) == (REDIRECT, "openid profile")
    assert one(query, "kc_idp_hint") == "corp"  # the endpoint's own query is kept


def test_every_request_has_a_fresh_state_nonce_and_verifier() -> None:
    made = [request()[1:] for _ in range(5)]
    for position in range(3):
        assert len({m[position] for m in made}) == 5
    assert all(len(state) >= 32 and len(nonce) >= 32 for state, _, nonce in made)


def test_the_code_comes_back_in_the_fragment_unless_the_config_asks_for_the_query() -> None:
    assert one(request()[0], "response_mode") == "fragment"
    assert "response_mode" not in request(response_mode="query")[0]


def test_the_configs_parameters_join_the_request() -> None:
    query = request(
        prompt="login",
        max_age=300,
        acr_values="mfa phr",
        ui_locales="de",
        display="popup",
        resource=["https://api.example/a", "https://api.example/b"],
        extraQueryParams={"login_hint": "ada@example.org", "audience": "api"},
    )[0]
    assert one(query, "prompt") == "login" and one(query, "max_age") == "300"
    assert one(query, "acr_values") == "mfa phr" and one(query, "ui_locales") == "de"
    assert one(query, "display") == "popup"
    assert query["resource"] == ["https://api.example/a", "https://api.example/b"]
    assert one(query, "login_hint") == "ada@example.org" and one(query, "audience") == "api"


# The session key: same key, same tokens (docs/keeper.md, Sessions).

BASE: dict[str, Any] = {**CONFIG, "popupWindowFeatures": {"width": 500}}
TOKEN_DECIDING: list[tuple[str, Any]] = [
    ("authority", "https://other.example/realms/lab"),
    ("client_id", "another-client"),
    ("scope", "openid profile api"),
    ("resource", "https://api.example/"),
    ("prompt", "login"),
    ("max_age", 60),
    ("acr_values", "mfa"),
    ("extraQueryParams", {"login_hint": "ada"}),
    ("extraTokenParams", {"audience": "api"}),
    ("metadata", METADATA),
    ("metadataSeed", {"end_session_endpoint": f"{ISSUER}/logout"}),
    ("metadataUrl", f"{ISSUER}/.well-known/openid-configuration"),
]


@pytest.mark.parametrize(("name", "value"), TOKEN_DECIDING, ids=[n for n, _ in TOKEN_DECIDING])
def test_the_session_key_changes_with_every_token_deciding_setting(name: str, value: Any) -> None:
    assert session_key({**BASE, name: value}, REDIRECT) != session_key(BASE, REDIRECT)


def test_the_session_key_changes_with_the_redirect_uri() -> None:
    assert session_key(BASE, REDIRECT) != session_key(BASE, "https://other.example/oidc/redirect.html")


def test_every_setting_changes_the_session_key_differently() -> None:
    keys = {session_key({**BASE, name: value}, REDIRECT) for name, value in TOKEN_DECIDING}
    assert len(keys) == len(TOKEN_DECIDING)


def test_the_session_key_ignores_the_pages_own_settings_and_the_order_of_keys() -> None:
    key = session_key(BASE, REDIRECT)
    assert session_key({**BASE, "popupWindowFeatures": {"width": 900, "height": 700}}, REDIRECT) == key
    assert session_key({k: v for k, v in BASE.items() if k != "popupWindowFeatures"}, REDIRECT) == key
    assert session_key(dict(reversed(list(BASE.items()))), REDIRECT) == key
    nested = {**BASE, "extraQueryParams": {"a": "1", "b": "2"}}
    swapped = {**BASE, "extraQueryParams": {"b": "2", "a": "1"}}
    assert session_key(nested, REDIRECT) == session_key(swapped, REDIRECT)
