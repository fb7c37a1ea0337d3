"""The keeper's state, shared by its connections and its scheduler: sessions by id and by key, which
widget instance follows which session, the kernels' follower connections, and sign-ins waiting for
their answer. One lock guards it all; network requests are made outside it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .._codes import Code
from .authorize import Pending
from .session import EXPIRED, SIGNED_IN, SIGNED_OUT, Session
from .wire import SessionEvent

#: A session that ended (signed out, expired) is forgotten this long after, with its bindings.
FORGET_AFTER = 3600.0
#: Sign-ins waiting for their answer, at most: the oldest is dropped for a new one (a page that
#: starts sign-ins in a loop must not grow the keeper without bound).
MAX_PENDING = 256

#: Writes one event line on a follower's connection; False once it is gone.
Send = Callable[[Mapping[str, Any]], bool]


class State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.sessions: dict[str, Session] = {}
        self.by_key: dict[str, str] = {}
        #: Widget instance (or a native sign-in's connection) -> the session it uses.
        self.bindings: dict[str, str] = {}
        self.followers: dict[str, set[Send]] = {}
        self.pending: dict[str, Pending] = {}
        self._version = 0

    def event(self, instance: str, session: Session | None) -> SessionEvent:
        return {
            "event": "session",
            "instance": instance,
            "session": session.view() if session else None,
            "token": session.token() if session else None,
        }

    def touch(self, session: Session) -> None:
        """``session`` changed: a new version, waiters woken, its followers told. Under the lock."""
        self._version += 1
        session.version = self._version
        self.changed.notify_all()
        for instance, bound in list(self.bindings.items()):
            if bound == session.id:
                self._tell(instance, session)

    def bind(self, instance: str, session: Session) -> None:
        """``instance`` uses ``session`` from now on (a sign-in, or a live session found again)."""
        self.bindings[instance] = session.id
        self._tell(instance, session)

    def _tell(self, instance: str, session: Session | None) -> None:
        for send in list(self.followers.get(instance, ())):
            if not send(self.event(instance, session)):
                self.followers[instance].discard(send)

    def follow(self, instance: str, send: Send) -> None:
        self.followers.setdefault(instance, set()).add(send)
        bound = self.sessions.get(self.bindings.get(instance, ""))
        if bound is not None:
            send(self.event(instance, bound))

    def unfollow(self, send: Send) -> None:
        for instance in list(self.followers):
            self.followers[instance].discard(send)
            if not self.followers[instance]:
                del self.followers[instance]

    def end(self, session: Session, status: str, error: tuple[Code, str] | None) -> None:
        """No more token: signed out (the tokens dropped) or expired (kept only for the view)."""
        session.status = status
        session.error = error
        session.due, session.due_kind = None, ""
        session.ended_at = time.time()
        if status == EXPIRED and session.tokens is not None:
            session.expired_at = session.tokens.expires_at
        # Nothing long-lived is kept once the session has ended.
        session.tokens = None
        if status == SIGNED_OUT:
            session.claims = None
            session.expired_at = None
        self.touch(session)

    def next_due(self) -> tuple[float | None, Session | None]:
        best: tuple[float | None, Session | None] = (None, None)
        for session in self.sessions.values():
            if session.due is not None and (best[0] is None or session.due < best[0]):
                best = (session.due, session)
        return best

    def prune(self, now: float | None = None) -> None:
        """Forget sign-ins that were never answered and sessions that ended long ago."""
        now = time.time() if now is None else now
        for state, pending in list(self.pending.items()):
            if pending.expires < now:
                del self.pending[state]
        while len(self.pending) >= MAX_PENDING:
            del self.pending[next(iter(self.pending))]  # dicts keep insertion order: the oldest
        for sid, session in list(self.sessions.items()):
            if session.status in (EXPIRED, SIGNED_OUT) and (session.ended_at or now) + FORGET_AFTER < now:
                del self.sessions[sid]
                if self.by_key.get(session.key) == sid:
                    del self.by_key[session.key]
                for instance, bound in list(self.bindings.items()):
                    if bound == sid:
                        del self.bindings[instance]

    def live_count(self) -> int:
        return sum(1 for s in self.sessions.values() if s.status == SIGNED_IN)
