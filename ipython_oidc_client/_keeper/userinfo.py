"""``loadUserInfo``: the userinfo endpoint (OpenID Connect Core §5.3), asked once after sign-in for a
name to show; its ``sub`` must be the ID token's (§5.3.2), or nothing is kept."""

from __future__ import annotations

from typing import Any

from .._errors import AuthenticationError
from .._native._http import Http, Unreachable


def check_userinfo(http: Http, metadata: dict[str, Any], access_token: str, claims: Any) -> Any:
    endpoint = metadata.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        return claims
    try:
        status, info = http.get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    except Unreachable:
        status, info = 0, None
    if status != 200:
        info = None
    if not isinstance(info, dict):
        return claims
    if info.get("sub") != (claims or {}).get("sub"):
        raise AuthenticationError(
            "invalid_response",
            "The provider's userinfo names another user (sub) than the ID token (OpenID Connect Core "
            "§5.3.2); nothing was kept. Click Sign in to try again.",
        )
    names = ("name", "preferred_username", "email")
    return {**(claims or {}), **{k: info[k] for k in names if isinstance(info.get(k), str)}}
