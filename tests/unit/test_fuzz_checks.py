"""Every parser of what a provider, a page or a cell sends, fed arbitrary JSON (Hypothesis): it raises
only the project's own errors, what it says is bounded and printable, and what it accepts is within
the documented bounds (a lifetime of at most a year, a code and state that are strings)."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipython_oidc_client._config import check_config
from ipython_oidc_client._errors import AuthenticationError, ConfigError
from ipython_oidc_client._keeper.authorize import answer_params
from ipython_oidc_client._keeper.wire import KeeperError
from ipython_oidc_client._native.checks import (
    check_discovery,
    check_loopback_answer,
    next_poll,
    parse_device_authorization,
    parse_token_response,
    token_error,
    validate_id_token,
)
from ipython_oidc_client._native.checks.device import (
    MAX_EXPIRES_IN,
    MIN_INTERVAL,
    URI_LIMIT,
    USER_CODE_LIMIT,
)
from ipython_oidc_client._native.checks.tokens import MAX_LIFETIME
from ipython_oidc_client._providers import check_request

ISSUER = "https://idp.example"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Text with what a hostile provider would put in: controls, bidi overrides, long runs.
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\u202e", "\n\x1b[2J", "x" * 5000, "https://[", "http://127.evil.example/t", ""]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


#: What a URL-valued field may hold: the edge cases urllib and the checks meet.
URLS = st.sampled_from(
    [
        "https://[",
        "http://[::1",
        "http://127.evil.example/t",
        "http://localhost.evil.example/t",
        "javascript:alert(1)",
        "https://user:pw@idp.example/t",
        "https://idp.example/t#frag",
        "http://[::1]:8/t",
        "https://idp.example/t",
        ISSUER,
    ]
)


def keyed(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects whose keys are the ones the parser reads (each maybe present, its value often an edge
    case of URLs), plus a few others, so that the parser gets past its first check."""
    known = st.fixed_dictionaries({}, optional={k: URLS | JSON | TEXT for k in keys})
    return st.builds(lambda a, b: {**b, **a}, known, st.dictionaries(TEXT, JSON, max_size=2))


def said(err: Exception) -> str:
    message = getattr(err, "message", None) or str(err)
    assert len(message) <= 2000, len(message)
    assert "\u202e" not in message and "\x1b" not in message
    return message


DISCOVERY = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "revocation_endpoint",
             "end_session_endpoint", "code_challenge_methods_supported",
             "device_authorization_endpoint"]  # fmt: skip


@FUZZ
@given(keyed(DISCOVERY), st.booleans())
def test_discovery(doc: dict[str, Any], with_issuer: bool) -> None:
    if with_issuer:
        doc = {**doc, "issuer": ISSUER}
    try:
        checked = check_discovery(
            doc, ISSUER, "url", ("authorization_endpoint", "token_endpoint", "jwks_uri")
        )
    except AuthenticationError as err:
        said(err)
        return
    assert checked["issuer"] == ISSUER
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        assert isinstance(checked[field], str)


@FUZZ
@given(keyed(["access_token", "token_type", "expires_in", "refresh_token", "id_token", "scope"]))
def test_token_response(body: dict[str, Any]) -> None:
    now = time.time()
    try:
        tokens = parse_token_response(body, "openid profile", now=now)
    except AuthenticationError as err:
        said(err)
        return
    assert isinstance(tokens.access_token, str) and tokens.access_token
    if tokens.expires_at is not None:
        assert math.isfinite(tokens.expires_at) and tokens.expires_at <= now + MAX_LIFETIME + 1


@FUZZ
@given(st.integers(min_value=100, max_value=599), JSON | keyed(["error", "error_description", "error_uri"]))
def test_token_error(status: int, body: Any) -> None:
    err = token_error(status, body, "token request")
    assert isinstance(err, AuthenticationError) and len(err.error) <= 100
    said(err)


#: A device answer that passes, for the fuzzed fields to be laid over.
SOUND_DEVICE = {
    "device_code": "dc",
    "user_code": "AB-CD",
    "verification_uri": f"{ISSUER}/device",
    "expires_in": 600,
}
#: Seconds as a provider may write them, the edges first (0.001 made 1455 polls in 3 s; 10**400
#: raised OverflowError).
SECONDS = (
    st.sampled_from([0.001, 0, -1, 10**400, -(10**400), 1e308, math.nan, math.inf])
    | st.floats(min_value=-2, max_value=2)
    | st.floats()
    | st.integers()
)


#: A device answer that passes, and what each of its fields may be instead.
SOUND_DEVICE = {
    "device_code": "dc",
    "user_code": "AB-CD",
    "verification_uri": f"{ISSUER}/device",
    "verification_uri_complete": f"{ISSUER}/device?user_code=AB-CD",
    "expires_in": 600,
    "interval": 5,
}
FUZZED_DEVICE = {
    "device_code": TEXT | JSON,
    "user_code": TEXT | JSON | st.just("AB\u202eCD" + "x" * 100_000),
    "verification_uri": URLS | TEXT | JSON,
    "verification_uri_complete": URLS | TEXT | JSON,
    "expires_in": SECONDS | JSON,
    "interval": SECONDS | JSON,
}
#: One or two fields fuzzed, the others sound: so each bound is met with the rest passing (a field
#: left out is tested in test_device_answer.py).
DEVICE = st.sets(st.sampled_from(sorted(SOUND_DEVICE)), min_size=1, max_size=2).flatmap(
    lambda keys: st.fixed_dictionaries(
        {k: FUZZED_DEVICE[k] if k in keys else st.just(v) for k, v in SOUND_DEVICE.items()}
    )
)


@FUZZ
@given(st.sampled_from([200, 200, 200, 400]), DEVICE | JSON)
def test_device_authorization_answer(status: int, body: Any) -> None:
    # RFC 8628 §3.2: what is accepted is within the documented bounds (docs/native.md), and all of
    # what a person is shown is printable and bounded.
    try:
        auth = parse_device_authorization(status, body, ISSUER)
    except AuthenticationError as err:
        said(err)
        return
    assert MIN_INTERVAL <= auth.interval <= MAX_EXPIRES_IN and 0 < auth.expires_in <= MAX_EXPIRES_IN
    assert 0 < len(auth.user_code) <= USER_CODE_LIMIT
    shown = auth.verification()
    assert shown["link"].startswith(("https://", "http://")) and len(shown["link"]) <= URI_LIMIT
    for line in auth.prompt().split("\n"):
        assert line.isprintable() and len(line) <= URI_LIMIT + 500, line


@FUZZ
@given(st.sampled_from([200, 400, 400, 500]), JSON | keyed(["error", "error_description", "access_token"]))
def test_a_device_poll_answer(status: int, body: Any) -> None:
    try:
        wait = next_poll(status, body, 5.0)
    except AuthenticationError as err:
        said(err)
        return
    assert wait is None or wait >= 5.0


@FUZZ
@given(JSON | keyed(["code", "state", "iss", "error", "error_description"]))
def test_the_answer_a_page_hands_back(response: Any) -> None:
    try:
        params = answer_params(response)
    except KeeperError as err:
        said(err)
        return
    assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in params.values())


@FUZZ
@given(st.dictionaries(st.sampled_from(["code", "state", "iss", "error", "error_description"]) | TEXT,
                       st.lists(TEXT, max_size=3), max_size=5))  # fmt: skip
def test_a_loopback_or_callback_query(query: dict[str, list[str]]) -> None:
    try:
        code = check_loopback_answer(query, "the-state", ISSUER)
    except AuthenticationError as err:
        said(err)
        return
    assert query["state"] == ["the-state"] and isinstance(code, str)


KEY = ec.generate_private_key(ec.SECP256R1())
JWKS = {"keys": [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key())), "kid": "k1"}]}


@FUZZ
@given(keyed(["iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "azp", "acr", "auth_time"]),
       keyed(["kid", "alg", "typ", "crit"]), JSON | st.just(JWKS))  # fmt: skip
def test_id_token(claims: dict[str, Any], header: dict[str, Any], jwks: Any) -> None:
    try:
        token = jwt.encode(
            claims, KEY, algorithm="ES256", headers={k: v for k, v in header.items() if k != "alg"}
        )
    except (TypeError, ValueError, jwt.PyJWTError):
        return  # not a JWT a provider could send; this is about the checks, not PyJWT's encoder
    try:
        validate_id_token(token, jwks, issuer=ISSUER, client_id="notebooks", nonce="n", now=time.time())
    except AuthenticationError as err:
        said(err)


@FUZZ
@given(TEXT | st.just("e30.e30.e30"), JSON | st.just(JWKS))
def test_id_token_that_is_not_a_jwt(token: str, jwks: Any) -> None:
    try:
        validate_id_token(token, jwks, issuer=ISSUER, client_id="notebooks", now=time.time())
    except AuthenticationError as err:
        said(err)


CONFIG = ["authority", "client_id", "scope", "redirect_uri", "metadataUrl", "metadata", "metadataSeed",
          "extraQueryParams", "extraTokenParams", "resource", "prompt", "max_age", "acr_values",
          "response_mode", "requestTimeoutInSeconds", "popupWindowFeatures", "provider",
          "client_secret"]  # fmt: skip


@FUZZ
@given(keyed(CONFIG), st.booleans())
def test_a_cells_config(config: dict[str, Any], sound_base: bool) -> None:
    if sound_base:
        config = {"authority": ISSUER, "client_id": "c", **config}
    for check in (check_config, check_request):
        try:
            check(config)
        except ConfigError as err:
            assert len(str(err)) <= 2_000  # it quotes the user's own values, cut


@FUZZ
@given(JSON)
def test_anything_as_a_request(request: Any) -> None:
    try:
        check_request(request)
    except ConfigError:
        pass
