"""What a keeper says of a sign-in, heard by the sign-in itself: ``SignIn``'s state and the one
consumer of the keeper's events (``say``, ``failed``, ``session``: docs/keeper.md), from the server's
keeper or a keeper of this process's own (_follow.py). It fills the token: fill, expire, clear."""

from __future__ import annotations

import threading
import time
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any, Literal

from ._codes import relayed_code
from ._errors import AuthenticationError
from ._native.verification import verification_of
from ._protocol import DeviceMessage, DeviceState, Status, Verification
from ._token import Token, clear, expire, fill, parse_token_message

if TYPE_CHECKING:
    from ._follow import Line
    from ._page import Page
    from ._widget import OidcWidget

#: The widget's line once the kernel's own device grant has signed in (docs/native.md).
DEVICE_DONE = "Signed in with a link and a code; the token is renewed while this kernel runs."


class SignInEvents:
    """The state of a ``SignIn`` (_signin.py), which is the only class made of this one."""

    def __init__(
        self, token: MutableMapping[str, Any], timeout: float, mode: str = "popup", flow: str = "auto"
    ) -> None:
        self.token = token
        self.timeout = timeout
        self.mode, self.flow = mode, flow
        self.status: Status = "idle"
        self.message = ""
        self.error: AuthenticationError | None = None
        #: time.time() when the last token arrived.
        self.received_at: float | None = None
        #: How this kernel gets the widget's tokens: from the keeper itself, or relayed by the page ("page").
        self.via: Literal["keeper", "page"] | None = None
        #: The widget's instance (an API's token: its own), by which the keeper names the session it uses.
        self.instance: str | None = None
        #: The keeper's id of the session (for renewal and sign-out) and whether it can renew it.
        self.session_id: str | None = None
        self.renewable = False
        self.widget: OidcWidget | None = None
        self._page: Page | None = None
        self._line: Line | None = None
        #: Set by the first token, and when a sign-in ends without one (a step-up waits on it).
        self.first_token = threading.Event()
        self.ended = threading.Event()
        self._expiry: threading.Timer | None = None
        if isinstance(token, Token):
            token._reason = lambda: self.error

    # -- the keeper's events: the one consumer ------------------------------------------------------

    def on_event(self, event: dict[str, Any]) -> None:
        """An event of the keeper, in the line's reader thread."""
        kind = event.get("event")
        if kind == "say":
            self._show("waiting", str(event.get("text", "")), verification_of(event.get("verification")))
        elif kind == "failed":
            self._failed(AuthenticationError(relayed_code(event.get("error")), str(event.get("message"))))
        elif kind == "session" and isinstance(event.get("session"), dict):
            self._on_session(event["session"], event.get("token"))

    def _on_session(self, view: dict[str, Any], token: Any) -> None:
        self.session_id = view.get("id") if isinstance(view.get("id"), str) else None
        self.renewable = bool(view.get("renewable"))
        status, error = view.get("status"), view.get("error")
        fresh = isinstance(token, dict)
        first = fresh and not self.first_token.is_set()
        # The state first, the token last: a cell waiting for the token (``await``: received_at)
        # must find the status and error it came with, not the last ones.
        if isinstance(error, dict):
            self._failed(AuthenticationError(relayed_code(error.get("error")), str(error.get("message"))))
        elif status == "signed_in":
            self.error = None
        if status in ("signed_out", "expired"):
            self.status, self.received_at = ("signed_out" if status == "signed_out" else "error"), None
        elif error:
            self.status = "error"
        elif status == "signed_in":
            # Without a refresh token the page must sign in again before expiry; a native sign-in cannot.
            page_renews = not self._private and not self.renewable and view.get("expires_at")
            self.status = "renew_needed" if page_renews else "signed_in"
        if fresh:
            fill(self.token, parse_token_message(token))
            self.received_at = time.time()
            self.first_token.set()
        if status == "expired":
            expire(self.token)
        elif status == "signed_out":
            clear(self.token)
        if first and self._private and status == "signed_in" and not error:
            self._show("signed_in", DEVICE_DONE if self.widget is not None else "Signed in.")

    @property
    def _private(self) -> bool:
        return self._line is not None and self._line.private

    def _show(self, state: DeviceState, text: str, verification: Verification | None = None) -> None:
        """A line of the kernel's own sign-in: in the widget (only the verification URI, from the
        fields, becomes a link: RFC 8628 §3.3), else printed."""
        self.message = text
        if self.widget is not None:
            message: DeviceMessage = {"type": "device", "state": state, "message": text}
            if verification is not None:
                message["verification"] = verification
            self.widget.send(message)
        elif state == "waiting":
            print(text, flush=True)

    def _failed(self, error: AuthenticationError) -> None:
        self.error = error
        self.ended.set()
        if self._private:
            self.status = "error"
            self._show("error", error.message)

    def on_gone(self, message: str | None) -> None:
        """The keeper is gone: no token comes any more. ``message`` says so for a token that was kept
        current; it then expires at its time (the clock says so, and a timer takes it out)."""
        self.ended.set()
        if message is None or self.token.get("access_token") is None:
            return
        self.error = AuthenticationError("unknown_session", message)
        expires_at = self.token.get("expires_at")
        if isinstance(expires_at, (int, float)):
            self._expiry = threading.Timer(max(expires_at - time.time(), 0.0), expire, args=(self.token,))
            self._expiry.daemon = True
            self._expiry.start()
