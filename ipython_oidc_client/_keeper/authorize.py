"""A sign-in that the notebook's browser drives and the keeper redeems: the keeper makes the
authorization request (PKCE S256, state, nonce: OpenID Connect Core §3.1.2.1, RFC 7636 §4), the page
only opens it in a window and hands back the answer, which the keeper checks and redeems here.

The page never holds the verifier or the nonce; a pending sign-in is single use and bound to its
state, so a replayed or foreign answer finds nothing to redeem (RFC 6749 §10.12)."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._native.checks import check_loopback_answer
from .._native.common import Keys, Validated, accept_tokens, refused, token_request
from .._native.config import NativeConfig
from .._native.loopback import authorization_url, pkce_pair
from .wire import KeeperError

#: Settings that shape only the page (its window) or what it reads: not part of which tokens a
#: sign-in yields, so not part of the session key.
PAGE_ONLY = frozenset({"popupWindowFeatures", "staleStateAgeInSeconds", "requestTimeoutInSeconds"})
#: The longest answer field taken from the page (a code, a state, an issuer).
MAX_PARAM = 4096


def session_key(config: Mapping[str, Any], redirect_uri: str, client_auth: str | None = None) -> str:
    """Same key, same tokens: every setting that changes an endpoint, the client, the request or the
    redirect — the step-up ones (max_age, prompt, acr_values) included, so that a live token never
    stands in for a fresher or stronger sign-in — and how the client authenticates."""
    shown = {k: v for k, v in config.items() if k not in PAGE_ONLY}
    canonical = json.dumps(
        {"config": shown, "redirect_uri": redirect_uri, "client_auth": client_auth},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass
class Pending:
    """A sign-in waiting for the provider's answer. ``verifier`` and ``nonce`` never leave the keeper."""

    state: str
    verifier: str
    nonce: str
    cfg: NativeConfig
    config: dict[str, Any]
    metadata: dict[str, Any]
    redirect_uri: str
    key: str
    instance: str
    label: str | None
    renew_before: float
    expires: float


def authorization_request(
    cfg: NativeConfig, metadata: dict[str, Any], redirect_uri: str
) -> tuple[str, str, str, str]:
    """Return ``(url, state, verifier, nonce)`` for a code flow sign-in with PKCE S256."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    params = {
        **cfg.auth_params,
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
        "scope": cfg.scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    # The code comes back in the URL's fragment by default, which no server sees (OAuth 2.0
    # Multiple Response Type Encoding Practices §2.1): no Jupyter, hub or proxy log can hold it.
    if cfg.response_mode == "fragment":
        params["response_mode"] = "fragment"
    if cfg.display:
        params["display"] = cfg.display
    url = authorization_url(metadata["authorization_endpoint"], params, cfg.resources)
    return url, state, verifier, nonce


#: The authorization response's parameters the keeper reads (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207's
#: iss); the callback page forwards exactly these (js/callback/answer.ts ANSWER_PARAMS, the same list:
#: tests/unit/test_contract_answer.py).
ANSWER_PARAMS = ("code", "state", "iss", "error", "error_description")


def answer_params(response: Any) -> dict[str, list[str]]:
    """The authorization response as the page read it from the callback URL: strings only, bounded."""
    if not isinstance(response, Mapping):
        raise KeeperError("invalid_request", "The sign-in answer must be a JSON object of its parameters.")
    params: dict[str, list[str]] = {}
    for name in ANSWER_PARAMS:
        value = response.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_PARAM:
            raise KeeperError(
                "invalid_request", f"The sign-in answer's {name!r} is not a string of sane size."
            )
        params[name] = [value]
    return params


def redeem(pending: Pending, response: Any, http: Any, keys: Keys) -> Validated:
    """Check the answer (state, RFC 9207 issuer, error: RFC 6749 §4.1.2) and redeem its code with the
    verifier (RFC 6749 §4.1.3, RFC 7636 §4.5); the ID token is validated with this sign-in's nonce."""
    metadata = pending.metadata
    promised = metadata.get("authorization_response_iss_parameter_supported") is True
    code = check_loopback_answer(answer_params(response), pending.state, metadata["issuer"], promised)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending.redirect_uri,
        "client_id": pending.cfg.client_id,
        "code_verifier": pending.verifier,
        **pending.cfg.token_params,
    }
    auth = pending.cfg.client_auth
    status, body = token_request(http, metadata, data, "token request", auth)
    if status != 200:
        raise refused(status, body, "token request", auth)
    return accept_tokens(body, pending.cfg, metadata, http, nonce=pending.nonce, keys=keys)


def expired(pending: Pending, now: float | None = None) -> bool:
    return (time.time() if now is None else now) > pending.expires
