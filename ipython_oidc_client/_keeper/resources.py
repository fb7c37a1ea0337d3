"""Tokens for one API each from one sign-in (``token.for_resource``): the keeper redeems the sign-in's
refresh token with RFC 8707's ``resource`` parameter and keeps the result as a session of its own,
renewed like the first one — no window, no new consent. A family (a sign-in and its APIs' sessions)
shares one refresh token: a provider that rotates it (RFC 6749 §10.4, RFC 9700 §4.14.2) sees one
refresh at a time per family, and every member gets the new one."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from .._errors import AuthenticationError
from .._native.checks.text import shown
from .session import SIGNED_IN, Session
from .wire import KeeperError


def resolve(root: Session, resource: Any) -> str:
    """The URI of ``resource``: a name from the config's ``resources``, or an absolute URI."""
    named = root.config.get("resources") or {}
    if isinstance(resource, str) and resource in named:
        return str(named[resource])
    names = ", ".join(sorted(named)) or "none"
    try:
        parts = urlsplit(resource) if isinstance(resource, str) else None
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or parts.fragment or len(resource) > 2048:
        raise KeeperError(
            "config",
            f"{shown(repr(resource), 80)} is neither an API named in this sign-in's config (named: "
            f"{names}) nor an absolute URI without a fragment (RFC 8707 §2).",
        )
    return str(resource)


def audience_mismatch(access_token: str, uri: str) -> bool:
    """True when the token is a JWT whose ``aud`` leaves ``uri`` out: the provider ignored the
    parameter (Keycloak does) and gave a token for something else. An opaque token: not ours to read."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return False
    aud = claims.get("aud") if isinstance(claims, dict) else None
    if aud is None:
        return False
    return uri not in (aud if isinstance(aud, list) else [aud])


def refused(err: AuthenticationError, root: Session, uri: str) -> KeeperError:
    who = f'"{root.label}" ({root.cfg.authority})' if root.label else root.cfg.authority
    if err.error == "invalid_target":  # RFC 8707 §2: the provider does not serve this resource to us
        return KeeperError(
            "invalid_target",
            f"The provider {who} refused a token for the resource {uri} (invalid_target; RFC 8707): it "
            f"is not an API this client may use, or the sign-in did not ask for it. Add it to the "
            f'config\'s "resource" or "resources" and sign in again, or ask the provider\'s administrator.',
        )
    return KeeperError(err.error, err.message)


def ignored(root: Session, uri: str) -> KeeperError:
    who = f'"{root.label}" ({root.cfg.authority})' if root.label else root.cfg.authority
    return KeeperError(
        "invalid_target",
        f"The provider {who} ignored the 'resource' parameter (RFC 8707) and gave a token for another "
        f"audience than {uri}: it does not support tokens per resource. Sign in with that API's scope "
        "instead.",
    )


def share_refresh_token(family: list[Session], refresh_token: str | None) -> None:
    """A rotated refresh token, given to every member of the family (under the state's lock)."""
    if refresh_token is None:
        return
    for member in family:
        if member.tokens is not None and member.status == SIGNED_IN:
            member.tokens = dataclasses.replace(member.tokens, refresh_token=refresh_token)


class FamilyLocks:
    """One refresh at a time per family: two refreshes with the same rotating refresh token would
    have the second refused, and some providers then revoke the whole grant (RFC 9700 §4.14.2)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def of(self, root_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(root_id, threading.Lock())
