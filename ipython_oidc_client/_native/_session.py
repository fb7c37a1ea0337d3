"""This process's side of a sign-in without a notebook frontend: a private token keeper
(``_keeper --stdio``, docs/native.md) runs the flow and keeps the session; this side reads its
events and fills the token."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any, Optional

from .._codes import relayed_code
from .._errors import AuthenticationError
from .._keeper.client import KeeperUnavailable, PrivateKeeper
from .._keeper.wire import KeeperError, NativeRequest
from .._protocol import Verification
from .._token import Token, clear, expire, fill, parse_token_message

#: What the keeper may take beyond the user's timeout (discovery, the token request, the JWKS).
GRACE_SECONDS = 30.0

#: Where the keeper's lines go: the text, and the device grant's link as fields (or None).
OnSay = Callable[[str, Optional[Verification]], None]


def verification_of(value: Any) -> Verification | None:
    """The device link's fields of a ``say`` event, if it has them all with their types; else None
    (then the line is text only, and nothing in it becomes a link)."""
    if not isinstance(value, dict):
        return None
    strings = all(isinstance(value.get(k), str) for k in ("link", "code", "host"))
    warning = value.get("warning")
    if (
        not strings
        or not isinstance(value.get("complete"), bool)
        or not isinstance(warning, (str, type(None)))
    ):
        return None
    return {
        "link": value["link"],
        "code": value["code"],
        "host": value["host"],
        "complete": value["complete"],
        "warning": warning,
    }


class Session:
    def __init__(
        self,
        token: MutableMapping[str, Any],
        on_say: OnSay | None = None,
        on_token: Callable[[], None] | None = None,
        on_error: Callable[[AuthenticationError], None] | None = None,
    ) -> None:
        """``on_say``/``on_token``/``on_error``: where the keeper's lines, tokens and errors go besides
        the token itself (a widget that shows the device link); by default lines are printed."""
        self.token = token
        self._on_say = on_say
        self._on_token = on_token
        self._on_error = on_error
        self.error: AuthenticationError | None = None
        self.signed_in = threading.Event()
        self.ended = threading.Event()
        self.keeper: PrivateKeeper | None = None
        #: The keeper's id of the session once signed in (for sign-out).
        self.session_id: str | None = None
        self._renewable = False
        if isinstance(token, Token):
            token._reason = lambda: self.error

    def start(self, request: NativeRequest) -> None:
        self.keeper = PrivateKeeper(on_event=self._on_event, on_gone=self.ended.set)
        self.keeper.link.request("native", **request)

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "say":
            text = str(event.get("text", ""))
            if self._on_say is not None:
                self._on_say(text, verification_of(event.get("verification")))
            else:
                print(text, flush=True)
        elif kind == "failed":
            self._fail(AuthenticationError(relayed_code(event.get("error")), str(event.get("message"))))
            self.ended.set()
        elif kind == "session":
            self._on_session(event.get("session") or {}, event.get("token"))

    def _fail(self, err: AuthenticationError) -> None:
        self.error = err
        if self._on_error is not None:
            self._on_error(err)

    def _on_session(self, view: dict[str, Any], token: Any) -> None:
        self.session_id = view.get("id") if isinstance(view.get("id"), str) else None
        self._renewable = bool(view.get("renewable"))
        if isinstance(token, dict):
            fill(self.token, parse_token_message(token))
            first = not self.signed_in.is_set()
            self.signed_in.set()
            if view.get("error") is None:
                self.error = None
                if self._on_token is not None and first:
                    self._on_token()
        error = view.get("error")
        if isinstance(error, dict):
            self._fail(AuthenticationError(relayed_code(error.get("error")), str(error.get("message"))))
        if view.get("status") == "expired":
            expire(self.token)
        elif view.get("status") == "signed_out":
            clear(self.token)

    def wait_signed_in(self, timeout: float) -> None:
        """Block until the first token, the keeper's error, or the deadline. Each wait is short, so a
        KeyboardInterrupt is raised at once."""
        deadline = time.monotonic() + timeout + GRACE_SECONDS
        while not self.signed_in.is_set():
            if self.ended.is_set() and not self.signed_in.is_set():
                raise self.error or AuthenticationError(
                    "invalid_response", "The token keeper ended without an answer."
                )
            if time.monotonic() > deadline:
                raise AuthenticationError("timeout", f"Sign-in did not finish within {timeout:.0f} s.")
            self.signed_in.wait(0.2)

    def alive(self) -> bool:
        """Whether the keeper still has something to do: a session it renews."""
        return self.keeper is not None and self.keeper.alive() and self._renewable

    def renew_now(self) -> bool:
        """Ask the keeper to renew now (an API said ``invalid_token``); the new token comes as usual."""
        keeper = self.keeper
        if keeper is None or self.session_id is None or not keeper.alive() or not self._renewable:
            return False
        try:
            keeper.link.request("renew", timeout=30, session=self.session_id)
        except (KeeperError, KeeperUnavailable):
            return False
        return True

    def stop(self, revoke: bool = False) -> None:
        """End the keeper (by its pid): it takes the refresh token with it; with ``revoke``, the
        provider is asked to revoke it first (RFC 7009)."""
        keeper = self.keeper
        if keeper is None:
            return
        if revoke and self.session_id is not None and keeper.alive():
            try:
                keeper.link.request("logout", timeout=15, session=self.session_id)
            except (KeeperError, KeeperUnavailable):
                pass  # the keeper goes anyway, and the refresh token with it
        keeper.stop()
