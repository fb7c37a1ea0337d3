"""Tokens for one API each from one sign-in (``token.for_resource``): the keeper redeems the sign-in's
refresh token with RFC 8707's ``resource`` parameter and keeps the result as a session of its own,
renewed like the first one — no window, no new consent. A family (a sign-in and its APIs' sessions)
shares one refresh token: a provider that rotates it (RFC 6749 §10.4, RFC 9700 §4.14.2) sees one
refresh at a time per family, and every member gets the new one."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import threading
from typing import TYPE_CHECKING, Any

from .._errors import AuthenticationError
from .._native._http import Http
from .._native.checks import TokenResponse
from .._native.common import refresh
from .._targets import URI_RULE, Target, check_resources, is_resource_uri, target
from .._text import shown
from .exchange import exchange
from .session import SIGNED_IN, Session
from .wire import KeeperError

if TYPE_CHECKING:
    from .keeper import Keeper


def resolve(root: Session, resource: Any) -> Target:
    """The target of ``resource``: a name from the config's ``resources``, or an absolute URI."""
    named = check_resources(root.config.get("resources") or {})
    if isinstance(resource, str) and resource in named:
        return named[resource]
    if is_resource_uri(resource):
        return target(None, resource)
    names = ", ".join(sorted(named)) or "none"
    raise KeeperError(
        "config",
        f"{shown(repr(resource), 80)} is neither an API named in this sign-in's config (named: "
        f"{names}) nor {URI_RULE}.",
    )


def audience_mismatch(access_token: str, *wanted: str | None) -> bool:
    """True when the token is a JWT whose ``aud`` names none of ``wanted``: the provider ignored the
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
    return not set(aud if isinstance(aud, list) else [aud]) & {w for w in wanted if w is not None}


def provider_name(root: Session) -> str:
    """The provider as a message names it: the administrator's name for it, if any, and its authority."""
    return f'"{root.label}" ({root.cfg.authority})' if root.label else root.cfg.authority


def refused(err: AuthenticationError, root: Session, uri: str) -> KeeperError:
    who = provider_name(root)
    if err.error == "invalid_target":  # RFC 8707 §2: the provider does not serve this resource to us
        return KeeperError(
            "invalid_target",
            f"The provider {who} refused a token for the resource {uri} (invalid_target; RFC 8707): it "
            f"is not an API this client may use, or the sign-in did not ask for it. Add it to the "
            f'config\'s "resource" or "resources" and sign in again, or ask the provider\'s administrator.',
        )
    return KeeperError(err.error, err.message)


def ignored(root: Session, uri: str) -> KeeperError:
    who = provider_name(root)
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


def for_resource(keeper: Keeper, instance: Any, child: Any, resource: Any) -> dict[str, Any]:
    """A token for one API from the sign-in ``instance`` uses (RFC 8707 §2.2, or RFC 8693 where the
    target says ``exchange``), kept as a session that ``child`` (a new widget instance of the kernel's)
    follows; the same one while it lives."""
    if not isinstance(child, str) or not child or not isinstance(instance, str):
        raise KeeperError("invalid_request", "resource needs the widget instance and a new instance.")
    with keeper.state.lock:
        bound = keeper.state.sessions.get(keeper.state.bindings.get(instance, ""))
        if bound is None:
            raise KeeperError("not_signed_in", "This token has no sign-in yet: sign in first.")
        root, family = keeper._family(bound)
        wanted = resolve(root, resource)
        live = next((s for s in family if s.resource == wanted.key and s.live), None)
        if live is not None:
            keeper.state.bind(child, live)
            return {"session": live.view(), "token": live.token()}
        if wanted.exchange:
            if not root.live or root.tokens is None:
                raise KeeperError("not_signed_in", "The sign-in's token has expired or ended: sign in again.")
            subject_token = root.tokens.access_token
        elif not (root.live and root.renewable):
            raise KeeperError(
                "not_renewable",
                "A token for another API needs this sign-in's refresh token, and it has none (the "
                "provider gave none, or the sign-in ended). Sign in again; if it persists, ask for "
                "the scope offline_access.",
            )
    if wanted.exchange:
        tokens = exchange(root.cfg, root.metadata, subject_token, wanted, provider_name(root))
        if audience_mismatch(tokens.access_token, wanted.resource, wanted.audience):
            raise ignored(root, wanted.key)
        return _kept(keeper, root, child, wanted, tokens)
    with keeper.families.of(root.id):
        with keeper.state.lock:
            refresh_token = root.tokens.refresh_token if root.tokens is not None else None
        if refresh_token is None:
            raise KeeperError("not_renewable", "The sign-in ended meanwhile. Sign in again.")
        uri = str(wanted.resource)
        try:
            got = refresh(root.cfg, root.metadata, Http(root.cfg.request_timeout), refresh_token,
                          root.subject, root.keys, uri, wanted.scope)  # fmt: skip
        except AuthenticationError as err:
            raise refused(err, root, uri) from None
        if audience_mismatch(got.tokens.access_token, uri):
            raise ignored(root, uri)
        with keeper.state.lock:
            share_refresh_token(family, got.tokens.refresh_token)
        tokens = dataclasses.replace(got.tokens, refresh_token=got.tokens.refresh_token or refresh_token)
        return _kept(keeper, root, child, wanted, tokens)


def _kept(keeper: Keeper, root: Session, child: str, wanted: Target, tokens: TokenResponse) -> dict[str, Any]:
    """The API's token as a session of ``root``'s family, followed by ``child``."""
    with keeper.state.lock:
        session = dataclasses.replace(
            root,
            id=secrets.token_urlsafe(16),
            key=f"{root.key}|{wanted.key}",
            parent=root.id,
            resource=wanted.key,
            target=wanted,
        )
        session.tokens = None
        keeper.state.sessions[session.id] = session
        keeper._signed_in(session, tokens, root.subject, root.claims)
        keeper.state.bind(child, session)
        return {"session": session.view(), "token": session.token()}
