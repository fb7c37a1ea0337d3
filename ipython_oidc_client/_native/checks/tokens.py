"""The token response (RFC 6749 §5.1) and the loopback redirect's answer (RFC 8252 §7.3, RFC 9207)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..._codes import Code, provider_code
from ..._errors import AuthenticationError
from ..._text import shown
from .errors import _ERROR_CODE

#: The longest access-token lifetime believed (one year): a larger ``expires_in`` (1e300 has been seen
#: from a hostile provider) would overflow the timers that renew it, and is taken as this.
MAX_LIFETIME = 365 * 86400.0


@dataclass(frozen=True)
class TokenResponse:
    """RFC 6749 §5.1. ``refresh_token`` and ``id_token`` never leave the keeper process."""

    access_token: str
    token_type: str
    expires_at: float | None
    scope: str | None
    refresh_token: str | None
    id_token: str | None

    def for_user(self) -> dict[str, Any]:
        """Exactly the fields the user's process gets (_token.TOKEN_FIELDS)."""
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
            "token_type": self.token_type,
        }


def parse_token_response(body: Any, requested_scope: str, now: float | None = None) -> TokenResponse:
    """Check a successful token response (RFC 6749 §5.1)."""
    if not isinstance(body, Mapping):
        raise AuthenticationError("invalid_response", "The token response is not a JSON object.")
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise AuthenticationError("invalid_response", 'The token response has no "access_token".')
    token_type = body.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise AuthenticationError(
            "invalid_response",
            f"The token response's token_type is {shown(repr(token_type), 60)}, not Bearer (RFC 6750).",
        )
    expires_in = body.get("expires_in")
    start = time.time() if now is None else now
    # Compared before any float(): an integer beyond 1e308 would overflow it.
    expires_at = (
        start + (MAX_LIFETIME if expires_in > MAX_LIFETIME else float(expires_in))
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0
        else None
    )
    scope = body.get("scope")
    refresh = body.get("refresh_token")
    id_token = body.get("id_token")
    return TokenResponse(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 - the type's name, RFC 6750
        expires_at=expires_at,
        # RFC 6749 §5.1: scope omitted means "as requested".
        scope=scope if isinstance(scope, str) else requested_scope,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
    )


def check_loopback_answer(
    query: Mapping[str, list[str]], state: str, issuer: str, iss_promised: bool = False
) -> str:
    """Check the redirect that reached the loopback listener (RFC 6749 §4.1.2, RFC 8252 §8.9) and
    return the code.

    The state must be exactly the one sent (RFC 6749 §10.12: it binds the answer to this sign-in);
    an ``iss`` must be this provider, and is required when the provider promises it (RFC 9207 §2.4).
    """

    def one(name: str) -> str | None:
        values = query.get(name) or []
        if len(values) > 1:
            raise AuthenticationError("invalid_response", f"The sign-in answer carries {name!r} twice.")
        return values[0] if values else None

    if one("state") != state:
        raise AuthenticationError(
            "state_mismatch",
            "The sign-in answer does not belong to this sign-in (its state differs; RFC 6749 §10.12). "
            "Nothing was sent to the provider. Run authenticate() again.",
        )
    iss = one("iss")
    if (iss is not None or iss_promised) and iss != issuer:
        raise AuthenticationError(
            "issuer_mismatch",
            (
                f"The sign-in answer came from another provider ({shown(iss)}) than the one this sign-in "
                f"went to ({issuer}), RFC 9207."
                if iss is not None
                else f"The sign-in answer does not say which provider sent it, although {issuer} promises "
                "to (RFC 9207)."
            )
            + " Nothing was sent to either provider. Sign in again; if it persists, another tab may be "
            "signing in at another provider at the same time.",
        )
    error = one("error")
    if error is not None:
        code: Code = provider_code(error) if _ERROR_CODE.match(error) else "invalid_response"
        desc = one("error_description")
        said = shown(desc or "")
        advice = (
            " If you cancelled, sign in again; otherwise ask the provider's administrator whether you may "
            "use this client."
            if code == "access_denied"
            else " Check the client's settings at the provider, then sign in again."
        )
        raise AuthenticationError(
            code,
            f"The provider refused the sign-in ({code}" + (f": {said}" if said else "") + ")." + advice,
        )
    code_value = one("code")
    if not code_value:
        raise AuthenticationError(
            "invalid_response", "The sign-in answer carries neither a code nor an error."
        )
    return code_value
