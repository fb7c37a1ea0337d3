"""A token for one API by OAuth 2.0 Token Exchange (RFC 8693), where the config's target says
``"exchange": true`` (docs/resources.md): the sign-in's access token is the subject token, and the
provider answers with an access token for the API. No refresh token is used or kept for it: the next
one is exchanged again from the sign-in's then current access token."""

from __future__ import annotations

import dataclasses
from typing import Any

from .._errors import AuthenticationError
from .._native._http import Http
from .._native.checks import TokenResponse, parse_token_response
from .._native.common import refused, token_request
from .._native.config import NativeConfig
from .._targets import Target
from .wire import KeeperError

#: RFC 8693 §2.1 and §3.
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a type name, §3
JWT = "urn:ietf:params:oauth:token-type:jwt"


def unsupported(who: str, target: Target) -> KeeperError:
    return KeeperError(
        "unsupported_grant_type",
        f"The provider {who} does not offer token exchange (RFC 8693) to this client, which "
        f'{target.where} asks for with "exchange": true. Remove "exchange" to get the token with the '
        "sign-in's refresh token (RFC 8707) instead, or ask the provider's administrator to allow the "
        f"grant {GRANT} for this client.",
    )


def check_offered(metadata: dict[str, Any], who: str, target: Target) -> None:
    """Discovery's ``grant_types_supported`` (RFC 8414 §2), when given, must list the grant: said before
    any request. Absent, the provider's answer says it."""
    offered = metadata.get("grant_types_supported")
    if isinstance(offered, list) and GRANT not in offered:
        raise unsupported(who, target)


def exchange(
    cfg: NativeConfig, metadata: dict[str, Any], subject_token: str, target: Target, who: str
) -> TokenResponse:
    """RFC 8693 §2.1: the request; §2.2.1: a successful answer must say what it issued."""
    check_offered(metadata, who, target)
    data = {
        "grant_type": GRANT,
        "client_id": cfg.client_id,
        "subject_token": subject_token,
        "subject_token_type": ACCESS_TOKEN,
        "requested_token_type": ACCESS_TOKEN,
    }
    for key in ("resource", "audience", "scope"):
        value = getattr(target, key)
        if value is not None:
            data[key] = value
    http = Http(cfg.request_timeout)
    status, body = token_request(http, metadata, data, "token exchange", cfg.client_auth)
    if status != 200:
        err = refused(status, body, "token exchange", cfg.client_auth)
        raise explained(err, who, target) from None
    issued = body.get("issued_token_type") if isinstance(body, dict) else None
    if issued not in (ACCESS_TOKEN, JWT):
        raise KeeperError(
            "invalid_response",
            f"The provider {who} answered the token exchange for {target.where} with issued_token_type "
            f"{issued!r:.80}, not an access token (RFC 8693 §2.2.1). Ask the provider's administrator.",
        )
    tokens = parse_token_response(body, target.scope or "")
    # Only the access token is this API's: an ID or refresh token in the answer is not kept.
    return dataclasses.replace(tokens, refresh_token=None, id_token=None)


def explained(err: AuthenticationError, who: str, target: Target) -> KeeperError:
    """The provider's refusal (RFC 8693 §2.2.2), said with the entry and what to change."""
    if err.error in ("unsupported_grant_type", "unauthorized_client"):
        return unsupported(who, target)
    if err.error == "invalid_target":
        asked = ", ".join(f"{k}={getattr(target, k)}" for k in ("resource", "audience") if getattr(target, k))
        return KeeperError(
            "invalid_target",
            f"The provider {who} refused to exchange the sign-in's token for {target.where} ({asked}; "
            "invalid_target, RFC 8693 §2.2.2): it is not an API this client may get tokens for. Check "
            "the entry, or ask the provider's administrator.",
        )
    return KeeperError(err.error, err.message)
