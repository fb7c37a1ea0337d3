"""``SignIn``: one sign-in as the kernel knows it, whatever drives it — the widget (its page, and
the server's token keeper) or the device grant and loopback (a keeper of this process's own,
docs/native.md). It is what authenticate() returns, the one consumer of the keeper's events
(``say``, ``failed``, ``session``: docs/keeper.md) and the one that fills its token;
``await`` it for the token."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, MutableMapping
from typing import TYPE_CHECKING, Any

from ._errors import AuthenticationError
from ._follow import Line
from ._native.verification import verification_of
from ._owner import release, take
from ._protocol import Status, Verification
from ._stepup import renewer
from ._token import Token, clear, expire, fill, parse_token_message

if TYPE_CHECKING:
    from ._page import Page
    from ._widget import OidcWidget

#: The widget's line once the kernel's own device grant has signed in (docs/native.md).
DEVICE_DONE = "Signed in with a link and a code; the token is renewed while this kernel runs."


class SignIn:
    """One sign-in, as the kernel last heard of it.

    ``status``: ``idle``, ``signing_in``, ``needs_click``, ``signed_in``, ``renew_needed``,
    ``signed_out`` or ``error``; ``message``: the sentence the widget shows (or the last line of a
    sign-in without one); ``error``: an AuthenticationError once something failed (cleared by the
    next token); ``token``: the dict being filled, kept current by renewals; ``widget``: the widget,
    or None for a sign-in without one (``flow``: ``device``, ``loopback``, ``auto``). ``await
    signin`` waits for the token (with the widget: ipykernel ≥ 7).
    """

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
        self.via: str | None = None
        #: The widget's instance, or the keeper's name for a native sign-in (its first event says it).
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
        self._resources: dict[str, SignIn] = {}
        if isinstance(token, Token):
            token._reason = lambda: self.error
        renewer(token, self.renew_now)

    @classmethod
    def with_widget(
        cls,
        config: dict[str, Any],
        token: MutableMapping[str, Any],
        timeout: float,
        renew_before: float,
        mode: str,
    ) -> SignIn:
        """The widget's sign-in (authenticate() in a notebook): the page signs in, the keeper keeps it."""
        from ._page import Page

        signin = cls(token, timeout, mode=mode)
        signin._page = Page(signin, config, timeout, renew_before, mode)
        signin.widget = signin._page.widget
        signin.instance = signin.widget.instance
        take(token, signin)
        return signin

    # -- the lines to a keeper (_follow.py) ---------------------------------------------------------

    def follow(self, relay: bool = False) -> None:
        """Follow the widget's session at the server's keeper if this kernel can reach it (from the
        start: the first token then reaches a cell that is busy by the time sign-in ends). With
        ``relay`` (the page bound the widget to a session), a kernel that cannot is relayed by the page."""
        if self._line is None or self._line.gone:
            self._line = Line.to_server(self)
        if self._line is not None:
            self.via = "keeper"
        elif relay:
            self.via = "page"

    def keep_privately(self, request: dict[str, Any]) -> None:
        """Sign in by a keeper of this process's own, which runs ``request``'s flow (device grant or
        loopback, docs/native.md) and keeps the session; its lines go to the widget, or are printed."""
        take(self.token, self)
        if self._line is not None:
            self._line.close()
        self.flow, self.timeout = str(request["flow"]), float(request["timeout"])
        self.error, self.status = None, "signing_in"
        self.ended.clear()
        # The line is this sign-in's before the keeper is asked: its first event may come at once.
        self._line = Line.to_private(self)
        self._line.ask("native", request, timeout=30)

    def renewing(self) -> bool:
        """Whether a keeper still renews this sign-in's token."""
        return self.renewable and self._line is not None and self._line.alive()

    # -- the keeper's events: the one consumer ------------------------------------------------------

    def on_event(self, event: dict[str, Any]) -> None:
        """An event of the keeper, in the line's reader thread."""
        kind = event.get("event")
        if kind == "say":
            self._show("waiting", str(event.get("text", "")), verification_of(event.get("verification")))
        elif kind == "failed":
            self._failed(AuthenticationError(str(event.get("error")), str(event.get("message"))))
        elif kind == "session" and isinstance(event.get("session"), dict):
            if self.instance is None and isinstance(event.get("instance"), str):
                self.instance = event["instance"]
            self._on_session(event["session"], event.get("token"))

    def _on_session(self, view: dict[str, Any], token: Any) -> None:
        self.session_id = view.get("id") if isinstance(view.get("id"), str) else None
        self.renewable = bool(view.get("renewable"))
        status, error = view.get("status"), view.get("error")
        first = False
        if isinstance(token, dict):
            fill(self.token, parse_token_message(token))
            self.received_at = time.time()
            first = not self.first_token.is_set()
            self.first_token.set()
        if status == "expired":
            expire(self.token)
        elif status == "signed_out":
            clear(self.token)
        if isinstance(error, dict):
            self._failed(AuthenticationError(str(error.get("error")), str(error.get("message"))))
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
            if first and self._private:
                self._show("signed_in", DEVICE_DONE if self.widget is not None else "Signed in.")

    @property
    def _private(self) -> bool:
        return self._line is not None and self._line.private

    def _show(self, state: str, text: str, verification: Verification | None = None) -> None:
        """A line of the kernel's own sign-in: in the widget (only the verification URI, from the
        fields, becomes a link: RFC 8628 §3.3), else printed."""
        self.message = text
        if self.widget is not None:
            extra = {"verification": verification} if verification is not None else {}
            self.widget.send({"type": "device", "state": state, "message": text, **extra})
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

    # -- what the page says (_page.py) --------------------------------------------------------------

    def page_status(self, status: Status, message: str) -> None:
        self.status, self.message = status, message

    def page_error(self, error: AuthenticationError) -> None:
        self.error = error
        self.ended.set()

    def page_token(self, fields: dict[str, Any]) -> None:
        """A token the page relays: only to a kernel that cannot follow the keeper itself."""
        if self.via == "page":
            fill(self.token, fields)
            self.error, self.received_at = None, time.time()

    def page_expired(self) -> None:
        # No refresh token and no renewal in time: the access token is gone here too; a renewal error
        # said earlier stays the reason.
        expire(self.token)
        self.received_at = None
        if self.error is None:
            self.error = AuthenticationError(
                "token_expired", "The access token has expired. Click Sign in in the widget to get a new one."
            )

    def page_logged_out(self) -> None:
        clear(self.token)

    def expect_new_sign_in(self) -> threading.Event:
        """A sign-in again (a step-up) begins: the Event is set if it ends without a token."""
        self.ended.clear()
        return self.ended

    # -- what the user calls ------------------------------------------------------------------------

    def renew_now(self) -> bool:
        """Have the keeper renew now (an API said ``invalid_token``); False when none can."""
        line, sid = self._line, self.session_id
        return line is not None and sid is not None and line.renew(sid)

    def for_resource(self, resource: str, instance: str) -> Token:
        """A Token for one API from this sign-in (``Token.for_resource``); the same one while it lives."""
        cached = self._resources.get(resource)
        if cached is not None and isinstance(cached.token, Token) and cached.token.get("access_token"):
            if not cached.token.expired:
                return cached.token
        line = self._line
        if line is None or line.gone or self.instance is None:
            from ._follow import for_resource

            return for_resource(None, resource)  # raises, saying why
        child = SignIn(Token(), self.timeout, mode=self.mode, flow=self.flow)
        child.instance = instance
        line.resource(self.instance, child, resource)
        previous, self._resources[resource] = self._resources.get(resource), child
        if previous is not None:
            previous.close()
        assert isinstance(child.token, Token)
        return child.token

    def logout(self) -> None:
        """Sign out: clear the token here now; the keeper revokes the refresh token and ends the session
        for every kernel that used it; the page, if any, ends the provider's session (RP-initiated
        logout) in a popup. A keeper of this process's own then stops."""
        clear(self.token)
        self.status = "signed_out"
        if self.widget is not None:
            self.widget.send({"type": "logout"})
        else:
            self.message = "Signed out."
        if self._line is not None and self.session_id is not None:
            self._line.logout(self.session_id)
        if self._private:
            self.close()

    def close(self) -> None:
        """Stop filling the token: another sign-in took it over, or nothing is left to keep."""
        release(self.token, self)
        if self._expiry is not None:
            self._expiry.cancel()
        line, self._line = self._line, None
        if line is not None and line.root is self:
            line.close()
        elif line is not None:
            line.unfollow(self)

    async def wait(self) -> MutableMapping[str, Any]:
        """Return the token once it has arrived; raise AuthenticationError when it cannot."""
        from ._waiting import until_token

        return await until_token(self, self._page)

    def __await__(self) -> Generator[Any, None, MutableMapping[str, Any]]:
        return self.wait().__await__()

    def _ipython_display_(self) -> None:
        # The widget shown by authenticate() is this object's display; showing a second, stale
        # text when authenticate() ends a cell would only confuse. Without one: the repr.
        if self.widget is None:
            print(repr(self))

    def __repr__(self) -> str:
        return f"<SignIn flow={self.flow!r} status={self.status!r} error={self.error!r}>"
