"""The offline checks of the flows without a notebook frontend (ipython_oidc_client/_native/checks.py):
discovery, the device authorization response, the meaning of each poll answer, token errors, the
loopback answer's state, the ID token."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from device_answers import CODES, ISSUER

from ipython_oidc_client import AuthenticationError, ConfigError
from ipython_oidc_client._native import sign_in
from ipython_oidc_client._native.checks import (
    DEFAULT_INTERVAL,
    check_discovery,
    check_loopback_answer,
    next_poll,
    parse_device_authorization,
    parse_token_response,
    token_error,
    validate_id_token,
)
from ipython_oidc_client._native.config import native_config

METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/jwks",
    "device_authorization_endpoint": f"{ISSUER}/device/auth",
    "code_challenge_methods_supported": ["S256"],
}
DEVICE = ("token_endpoint", "jwks_uri", "device_authorization_endpoint")
LOOPBACK = ("authorization_endpoint", "token_endpoint", "jwks_uri")


# Discovery (OpenID Connect Discovery 1.0 §4.3; RFC 9700 §2.6).


def test_discovery_accepts_a_sound_document() -> None:
    assert check_discovery(METADATA, ISSUER, "url", DEVICE)["issuer"] == ISSUER


def test_discovery_wants_the_issuer_exactly() -> None:
    with pytest.raises(AuthenticationError) as caught:
        check_discovery(METADATA, ISSUER + "/", "url", DEVICE)
    assert caught.value.error == "discovery_invalid"
    assert f'exactly "{ISSUER}"' in caught.value.message


@pytest.mark.parametrize(
    "endpoint",
    ["http://idp.example/token", "ftp://idp.example/token", "not a url"],
)
def test_discovery_refuses_endpoints_off_tls(endpoint: str) -> None:
    with pytest.raises(AuthenticationError, match="discovery_invalid"):
        check_discovery({**METADATA, "token_endpoint": endpoint}, ISSUER, "url", DEVICE)


@pytest.mark.parametrize("host", ["127.0.0.1:9000", "localhost:9000", "[::1]:9000"])
def test_discovery_allows_http_on_loopback(host: str) -> None:
    issuer = f"http://{host}"
    local = {k: v.replace(ISSUER, issuer) if isinstance(v, str) else v for k, v in METADATA.items()}
    assert check_discovery(local, issuer, "url", LOOPBACK)["token_endpoint"] == f"{issuer}/token"


def test_device_flow_needs_a_device_authorization_endpoint() -> None:
    without = {k: v for k, v in METADATA.items() if k != "device_authorization_endpoint"}
    check_discovery(without, ISSUER, "url", LOOPBACK)
    with pytest.raises(AuthenticationError, match="device_authorization_endpoint"):
        check_discovery(without, ISSUER, "url", DEVICE)


def test_loopback_needs_pkce_s256_when_methods_are_listed() -> None:
    plain = {**METADATA, "code_challenge_methods_supported": ["plain"]}
    check_discovery(plain, ISSUER, "url", DEVICE)  # the device grant has no PKCE
    with pytest.raises(AuthenticationError, match="S256"):
        check_discovery(plain, ISSUER, "url", LOOPBACK)


def test_discovery_that_is_not_an_object() -> None:
    with pytest.raises(AuthenticationError, match="discovery_invalid"):
        check_discovery(["issuer"], ISSUER, "url", DEVICE)


# The device authorization response (RFC 8628 §3.2).


def test_device_response_defaults_the_interval_to_5_seconds() -> None:
    assert parse_device_authorization(200, CODES, ISSUER).interval == DEFAULT_INTERVAL == 5.0
    assert parse_device_authorization(200, {**CODES, "interval": 2}, ISSUER).interval == 2.0
    assert parse_device_authorization(200, {**CODES, "interval": "fast"}, ISSUER).interval == 5.0


def test_the_prompt_shows_the_complete_link_or_the_link_and_the_code() -> None:
    with_link = parse_device_authorization(200, CODES, ISSUER).prompt()
    assert CODES["verification_uri_complete"] in with_link and "ABCD-EFGH" in with_link
    without = parse_device_authorization(200, {**CODES, "verification_uri_complete": None}, ISSUER).prompt()
    assert f"open {ISSUER}/device in a browser (it is on idp.example) and enter the code ABCD-EFGH" in without
    assert "dc" not in without.split()  # the device code is never shown


@pytest.mark.parametrize("missing", ["device_code", "user_code", "verification_uri", "expires_in"])
def test_device_response_without_a_required_field(missing: str) -> None:
    with pytest.raises(AuthenticationError, match="invalid_response"):
        parse_device_authorization(200, {k: v for k, v in CODES.items() if k != missing}, ISSUER)


def test_device_response_with_an_http_link_off_loopback() -> None:
    with pytest.raises(AuthenticationError, match="plain http"):
        parse_device_authorization(200, {**CODES, "verification_uri": "http://idp.example/device"}, ISSUER)


def test_a_client_without_the_device_grant_is_told_what_to_register() -> None:
    with pytest.raises(AuthenticationError) as caught:
        parse_device_authorization(400, {"error": "unauthorized_client"}, ISSUER)
    assert caught.value.error == "unauthorized_client"
    assert "urn:ietf:params:oauth:grant-type:device_code" in caught.value.message


# Each answer to a poll (RFC 8628 §3.5).


def test_pending_keeps_the_interval_and_slow_down_adds_5_seconds() -> None:
    assert next_poll(400, {"error": "authorization_pending"}, 5.0) == 5.0
    assert next_poll(400, {"error": "slow_down"}, 5.0) == 10.0
    assert next_poll(400, {"error": "slow_down"}, 10.0) == 15.0


def test_tokens_end_the_polling() -> None:
    assert next_poll(200, {"access_token": "a", "token_type": "Bearer"}, 5.0) is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"error": "access_denied"}, "access_denied"),
        ({"error": "expired_token"}, "expired_token"),
        ({"error": "invalid_grant", "error_description": "device code not found"}, "invalid_grant"),
        ({"error": 'bad"code'}, "invalid_response"),  # not an RFC 6749 §5.2 error code
        ({}, "invalid_response"),
        (None, "invalid_response"),
    ],
)
def test_answers_that_stop_the_polling(body: Any, code: str) -> None:
    with pytest.raises(AuthenticationError) as caught:
        next_poll(400, body, 5.0)
    assert caught.value.error == code


def test_error_descriptions_are_shown_printable_and_bounded() -> None:
    with pytest.raises(AuthenticationError) as caught:
        next_poll(400, {"error": "access_denied", "error_description": "no\x1b[31m" + "x" * 500}, 5.0)
    assert "\x1b" not in caught.value.message and len(caught.value.message) < 400


def test_token_errors_keep_the_providers_code() -> None:
    assert token_error(400, {"error": "invalid_grant"}, "token request").error == "invalid_grant"
    assert token_error(400, "<html>", "token request").error == "invalid_response"
    # A gateway's 502 without an OAuth error: the request could not be served, and may be tried again.
    assert token_error(502, "<html>", "token request").error == "token_request_failed"


def test_token_response_keeps_the_refresh_and_id_token_apart() -> None:
    body = {
        "access_token": "at",
        "token_type": "bearer",
        "expires_in": 300,
        "refresh_token": "rt",
        "id_token": "it",
    }
    tokens = parse_token_response(body, "openid api", now=1000.0)
    assert tokens.for_user() == {
        "access_token": "at",
        "expires_at": 1300.0,
        "scope": "openid api",
        "token_type": "Bearer",
    }
    assert (tokens.refresh_token, tokens.id_token) == ("rt", "it")
    with pytest.raises(AuthenticationError, match="Bearer"):
        parse_token_response({**body, "token_type": "DPoP"}, "openid")


# The answer that reaches the loopback listener (RFC 6749 §4.1.2, §10.12; RFC 9207).


def test_loopback_answer_gives_the_code_when_the_state_matches() -> None:
    assert check_loopback_answer({"state": ["s1"], "code": ["c1"]}, "s1", ISSUER) == "c1"


@pytest.mark.parametrize(
    "query",
    [{"state": ["other"], "code": ["c1"]}, {"code": ["c1"]}, {"state": [""], "code": ["c1"]}],
)
def test_loopback_answer_with_another_state_is_refused(query: dict[str, list[str]]) -> None:
    with pytest.raises(AuthenticationError) as caught:
        check_loopback_answer(query, "s1", ISSUER)
    assert caught.value.error == "state_mismatch"


def test_loopback_answer_checks_the_issuer() -> None:
    ok = {"state": ["s1"], "code": ["c1"], "iss": [ISSUER]}
    assert check_loopback_answer(ok, "s1", ISSUER, iss_promised=True) == "c1"
    with pytest.raises(AuthenticationError) as foreign:
        check_loopback_answer({**ok, "iss": ["https://evil.example"]}, "s1", ISSUER)
    assert foreign.value.error == "issuer_mismatch"
    with pytest.raises(AuthenticationError) as unsaid:
        check_loopback_answer({"state": ["s1"], "code": ["c1"]}, "s1", ISSUER, iss_promised=True)
    assert unsaid.value.error == "issuer_mismatch"


def test_loopback_answer_with_an_error_or_twice_a_parameter() -> None:
    with pytest.raises(AuthenticationError) as caught:
        check_loopback_answer({"state": ["s1"], "error": ["access_denied"]}, "s1", ISSUER)
    assert caught.value.error == "access_denied"
    with pytest.raises(AuthenticationError, match="twice"):
        check_loopback_answer({"state": ["s1"], "code": ["c1", "c2"]}, "s1", ISSUER)


# The ID token (OpenID Connect Core 1.0 §3.1.3.7), signed by a key made here.

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {
    "keys": [
        {**jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1", "use": "sig"}
    ]
}
NOW = time.time()


def id_token(key: Any = KEY, alg: str = "RS256", kid: str = "k1", **claims: Any) -> str:
    payload = {"iss": ISSUER, "sub": "alice", "aud": "notebooks", "exp": NOW + 300, "iat": NOW, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def validate(token: str, **expect: Any) -> dict[str, Any]:
    return validate_id_token(token, JWKS, issuer=ISSUER, client_id="notebooks", now=NOW, **expect)


def rejected(token: str, **expect: Any) -> str:
    with pytest.raises(AuthenticationError) as caught:
        validate(token, **expect)
    assert caught.value.error == "invalid_id_token"
    return caught.value.message


def test_a_sound_id_token_passes() -> None:
    assert validate(id_token(nonce="n1"), nonce="n1")["sub"] == "alice"
    assert validate(id_token())["sub"] == "alice"  # the device grant: no nonce


def test_id_token_checks() -> None:
    assert "signature" in rejected(id_token(key=OTHER_KEY))
    assert "no key" in rejected(id_token(kid="k2"))
    assert "iss" in rejected(id_token(iss="https://evil.example"))
    assert "aud" in rejected(id_token(aud="someone-else"))
    assert "expired" in rejected(id_token(exp=NOW - 120))
    assert "iat" in rejected(id_token(iat=NOW + 600))
    assert "missing" in rejected(id_token(iat=None))
    assert "nonce" in rejected(id_token(nonce="n2"), nonce="n1")
    assert "azp" in rejected(id_token(aud=["notebooks", "api"]))
    assert "azp" in rejected(id_token(azp="someone-else"))
    assert "sub changed" in rejected(id_token(), subject="bob")
    assert "auth_time" in rejected(id_token(), max_age=60)
    assert "max_age" in rejected(id_token(auth_time=NOW - 3600), max_age=60)
    assert validate(id_token(aud=["notebooks", "api"], azp="notebooks"))["azp"] == "notebooks"


def test_id_token_acr_nbf_and_kid_checks() -> None:
    # §3.1.3.7 item 12: the acr asserted must be one of the acr_values asked for.
    assert "acr is missing" in rejected(id_token(), acr_values=("gold",))
    assert "acr is 'silver'" in rejected(id_token(acr="silver"), acr_values=("gold",))
    assert validate(id_token(acr="gold"), acr_values=("silver", "gold"))["acr"] == "gold"
    # RFC 7519 §4.1.5: not before its nbf.
    assert "nbf" in rejected(id_token(nbf=NOW + 600))
    # A null or a string nbf is refused, not a TypeError (PyJWT 2.12, the floor, int()s it: found by
    # tests/unit/test_fuzz_checks.py under tests/oldest.sh).
    claims = {"iss": ISSUER, "sub": "alice", "aud": "notebooks", "exp": NOW + 300, "iat": NOW}
    for nbf in (None, "soon"):
        assert "nbf" in rejected(jwt.encode({**claims, "nbf": nbf}, KEY, "RS256", headers={"kid": "k1"}))
    # Core §10.1: no kid, and two keys that could have signed it: which one is unknown.
    two = {"keys": [*JWKS["keys"], {**JWKS["keys"][0], "kid": "k9"}]}
    no_kid = jwt.encode(
        {"iss": ISSUER, "sub": "alice", "aud": "notebooks", "exp": NOW + 300, "iat": NOW}, KEY, "RS256"
    )
    with pytest.raises(AuthenticationError, match="names no key"):
        validate_id_token(no_kid, two, issuer=ISSUER, client_id="notebooks", now=NOW)
    assert validate(no_kid)["sub"] == "alice"  # one key in the set: it is that one


def test_id_token_with_an_unknown_critical_header_is_refused() -> None:
    """RFC 7515 §4.1.11: a header parameter listed in ``crit`` that the reader does not know makes the
    JWS invalid. PyJWT < 2.12 ignored it (CVE-2026-32597): the floor in pyproject.toml is 2.12, and
    tests/oldest.sh runs this test with it."""
    token = jwt.encode(
        {"iss": ISSUER, "sub": "alice", "aud": "notebooks", "exp": NOW + 300, "iat": NOW},
        KEY,
        "RS256",
        headers={"kid": "k1", "crit": ["x-must-understand"], "x-must-understand": True},
    )
    rejected(token)


def test_id_token_with_a_symmetric_or_no_algorithm_is_refused() -> None:
    assert "not allowed" in rejected(jwt.encode({"iss": ISSUER}, "s" * 32, algorithm="HS256"))
    assert "not allowed" in rejected(jwt.encode({"iss": ISSUER}, None, algorithm="none"))


# The config and the API.


def test_a_named_provider_needs_a_jupyter_server() -> None:
    for config in (None, "corp", {"provider": "corp"}):
        with pytest.raises(ConfigError, match="Jupyter server"):
            native_config(config)


def test_native_config_takes_authenticates_names() -> None:
    cfg = native_config(
        {
            "authority": ISSUER,
            "client_id": "notebooks",
            "scope": "openid api",
            "prompt": "login",
            "redirect_uri": "http://localhost:8888/oidc/redirect.html",  # the widget's: ignored here
            "extraQueryParams": {"audience": "api", "flag": True},
        }
    )
    assert cfg.auth_params == {"prompt": "login", "audience": "api", "flag": "true"}
    assert cfg.discovery_url == f"{ISSUER}/.well-known/openid-configuration"


def test_sign_in_refuses_a_bad_flow_before_starting_anything() -> None:
    with pytest.raises(ConfigError, match="flow"):
        sign_in({"authority": ISSUER, "client_id": "notebooks"}, flow="popup")
    with pytest.raises(ConfigError, match="client_secret"):
        sign_in({"authority": ISSUER, "client_id": "notebooks", "client_secret": "x"})
