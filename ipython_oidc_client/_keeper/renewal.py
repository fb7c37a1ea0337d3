"""Renewal (docs/keeper.md, Renewal): one scheduler thread waits for whatever is due first — a
renewal, a retry, an expiry — and each renewal runs in a thread of its own, one at a time per family of
sessions that share a refresh token. A provider that cannot be reached is tried again while the token
lives; a refusal is final: the refresh token is dropped and the token lives until it expires."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING

from .._errors import AuthenticationError
from .._native._http import Http
from . import exchange, resources
from .session import EXPIRED, RETRY_SECONDS, SIGNED_IN, Session
from .wire import KeeperError

if TYPE_CHECKING:
    from .keeper import Keeper

#: Errors that mean the provider could not be reached, so a renewal is tried again while the token lives.
TRANSIENT = frozenset({"token_request_failed", "provider_unreachable"})


def run_scheduler(keeper: Keeper) -> None:
    """One thread waits for whatever is due first; each renewal runs in a thread of its own."""
    while not keeper._stop.is_set():
        with keeper.state.changed:
            keeper.state.prune()
            due, session = keeper.state.next_due()
            now = time.time()
            if session is None or due is None or due > now:
                wait = 3600.0 if due is None else min(due - now, 3600.0)
                keeper.state.changed.wait(wait)
                continue
            kind = session.due_kind
            session.due, session.due_kind = None, ""
            if kind == "expire":
                error = session.error or (
                    "token_expired",
                    "The access token has expired. Click Sign in to get a new one, or run "
                    "authenticate() again.",
                )
                keeper.state.end(session, EXPIRED, error)
                continue
        threading.Thread(target=renew, args=(keeper, session), daemon=True, name="keeper-renew").start()


def renew(keeper: Keeper, session: Session) -> None:
    from .._native.common import refresh

    if session.exchanged:
        return renew_by_exchange(keeper, session)
    with keeper.state.lock:
        if session.tokens is None or session.tokens.refresh_token is None or session.status != SIGNED_IN:
            return
        cfg, metadata, subject = session.cfg, session.metadata, session.subject
        root, _ = keeper._family(session)
    with keeper.families.of(root.id):  # one refresh at a time per refresh token
        with keeper.state.lock:
            before = session.tokens
            if before is None or before.refresh_token is None or session.status != SIGNED_IN:
                return
        try:
            renewed = refresh(
                cfg,
                metadata,
                Http(cfg.request_timeout),
                before.refresh_token,
                subject,
                session.keys,
                resource=session.resource,
                scope=session.target.scope if session.target is not None else None,
            )
        except Exception as err:  # a renewal thread must always end in a state the session says
            failure = (
                err
                if isinstance(err, AuthenticationError)
                else AuthenticationError(
                    "invalid_response", f"the provider's answer failed ({type(err).__name__})"
                )
            )
            with keeper.state.lock:
                if session.tokens is before:
                    renewal_failed(keeper, session, failure, before.expires_at or time.time())
            return
        with keeper.state.lock:
            if session.tokens is not before:
                return  # signed out or signed in afresh meanwhile
            # RFC 6749 §6: the provider may rotate the refresh token, or keep the old one valid;
            # a rotated one is the whole family's.
            rotated = renewed.tokens.refresh_token
            resources.share_refresh_token(keeper._family(session)[1], rotated)
            tokens = dataclasses.replace(renewed.tokens, refresh_token=rotated or before.refresh_token)
            claims = renewed.claims if renewed.claims is not None else session.claims
            keeper._signed_in(session, tokens, session.subject, claims)


def renew_by_exchange(keeper: Keeper, session: Session) -> None:
    """An exchanged token (RFC 8693) is exchanged again from the parent's current access token, which
    the parent's own renewals keep live; once the parent's has ended, so does this one."""
    with keeper.state.lock:
        before, target = session.tokens, session.target
        if before is None or target is None or session.status != SIGNED_IN:
            return
        root, _ = keeper._family(session)
        subject_token = root.tokens.access_token if root.live and root.tokens is not None else None
    failure: AuthenticationError | KeeperError
    if subject_token is None:
        failure = KeeperError("not_signed_in", "the sign-in it is exchanged from has ended or expired")
    else:
        try:
            who = resources.provider_name(root)
            tokens = exchange.exchange(session.cfg, session.metadata, subject_token, target, who)
        except (AuthenticationError, KeeperError) as err:
            failure = err
        except Exception as err:  # a renewal thread must always end in a state the session says
            failure = AuthenticationError(
                "invalid_response", f"the provider's answer failed ({type(err).__name__})"
            )
        else:
            with keeper.state.lock:
                if session.tokens is before:
                    keeper._signed_in(session, tokens, session.subject, session.claims)
            return
    with keeper.state.lock:
        if session.tokens is not before:
            return
        if failure.error not in TRANSIENT:
            session.target = None  # refused: no more exchanges; the token lives until it expires
        renewal_failed(keeper, session, failure, before.expires_at or time.time())


def renewal_failed(
    keeper: Keeper, session: Session, err: AuthenticationError | KeeperError, expires_at: float
) -> None:
    """Retry while the provider cannot be reached and the token lives; a refusal is final."""
    now = time.time()
    left = expires_at - now
    if err.error in TRANSIENT and left > 4.0:
        session.error = (
            "renewal_failed",
            "Could not reach the provider to renew the token; retrying until it expires.",
        )
        session.due, session.due_kind = now + min(RETRY_SECONDS, left / 2), "renew"
    else:
        if err.error in TRANSIENT:
            why = f"Could not reach the provider to renew the token ({err.message}) before it expired."
        else:
            reason = "the sign-in was revoked or has ended" if err.error == "invalid_grant" else err.message
            why = f"The token could not be renewed ({err.error}: {reason})."
        advice = "; click Sign in to sign in again, or run authenticate() again."
        session.error = ("renewal_failed", why[:-1] + advice)
        # Refused: the refresh token is dropped (Renew would try it again in vain), the token
        # lives until it expires.
        if session.tokens is not None:
            session.tokens = dataclasses.replace(session.tokens, refresh_token=None)
        session.due, session.due_kind = expires_at, "expire"
    keeper.state.touch(session)
