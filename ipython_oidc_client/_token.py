"""The token the user holds: a dict filled in place, whose repr never shows a token."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

#: The only fields that ever reach the kernel (design.md §3): never a refresh token, an ID token,
#: a code or a PKCE verifier.
TOKEN_FIELDS = ("access_token", "expires_at", "scope", "token_type")


def _mask(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)" if len(value) > 8 else "…"


class Token(dict[str, Any]):
    """A plain dict of ``access_token``, ``expires_at``, ``scope`` and ``token_type``.

    Its repr masks the access token, so that showing it in a notebook does not leak it.
    """

    def __repr__(self) -> str:
        shown = {k: (_mask(v) if k == "access_token" and isinstance(v, str) else v) for k, v in self.items()}
        return f"Token({shown!r})"

    __str__ = __repr__


def parse_token_message(content: Mapping[str, Any]) -> dict[str, Any]:
    """Take the token fields out of a page message, checked; anything else is dropped."""
    access_token = content.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ValueError("token message without an access_token")
    expires_at = content.get("expires_at")
    if expires_at is not None and (isinstance(expires_at, bool) or not isinstance(expires_at, (int, float))):
        raise ValueError("token message with a non-numeric expires_at")
    scope = content.get("scope")
    token_type = content.get("token_type") or "Bearer"
    return {
        "access_token": access_token,
        "expires_at": expires_at,
        "scope": scope if isinstance(scope, str) else None,
        "token_type": str(token_type),
    }


def fill(token: MutableMapping[str, Any], fields: Mapping[str, Any]) -> None:
    """Update ``token`` in place with exactly the token fields."""
    token.update({k: fields[k] for k in TOKEN_FIELDS})
