"""Signing out at the provider: revoking the refresh token (RFC 7009) and the URL of the provider's
own sign-out (OpenID Connect RP-Initiated Logout 1.0 §2), which the page opens in a window."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._native._http import Http, Unreachable
from .._native.checks import error_code
from .session import Session


def revoke(session: Session, tokens: Any) -> str | None:
    """Revoke the refresh token (RFC 7009 §2.1); return what went wrong, or None. A provider without a
    revocation endpoint: None, and the refresh token simply dies with this keeper."""
    endpoint = session.metadata.get("revocation_endpoint")
    if not isinstance(endpoint, str) or tokens.refresh_token is None:
        return None
    data = {
        "token": tokens.refresh_token,
        "token_type_hint": "refresh_token",
        "client_id": session.cfg.client_id,
    }
    headers: dict[str, str] = {}
    if session.cfg.client_auth is not None:  # RFC 7009 §2.1: a confidential client authenticates
        data, headers = session.cfg.client_auth.apply(data, endpoint, session.metadata)
    try:
        status, body = Http(session.cfg.request_timeout).post_form(endpoint, data, headers)
    except Unreachable as err:
        return f"the provider could not be reached to revoke the refresh token ({err})"
    if status == 200:  # §2.2: success, whatever the body says
        return None
    return f"the provider refused to revoke the refresh token ({error_code(body) or f'HTTP {status}'})"


def end_session_url(session: Session, post_logout_redirect_uri: str) -> str | None:
    """The provider's sign-out for this client, coming back to our callback page.

    No ``id_token_hint``: it would put the ID token in a URL the page opens, and the page holds no token.
    ``client_id`` with the registered ``post_logout_redirect_uri`` is what §2 asks for instead; the
    provider may then ask the user to confirm."""
    endpoint = session.metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    parts = urlsplit(endpoint)
    query = [
        *parse_qsl(parts.query),
        ("client_id", session.cfg.client_id),
        ("post_logout_redirect_uri", post_logout_redirect_uri),
        # Routes the provider's answer to the page that waits for it (js/signin/window.ts).
        ("state", secrets.token_urlsafe(16)),
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
