"""``SignIn``: one sign-in as the kernel knows it, whatever drives it — the widget (its page, and
the server's token keeper) or the device grant and loopback (a keeper of this process's own,
docs/native.md). It is what authenticate() returns; what keepers say of it, it hears itself
(_signin_events.py), and the page and the fallback call its methods. ``await`` it for the token."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, MutableMapping
from typing import TYPE_CHECKING, Any

from ._errors import AuthenticationError
from ._follow import Line
from ._owner import release, take
from ._protocol import Status
from ._signin_events import SignInEvents
from ._stepup import renewer
from ._token import Token, clear, expire, fill

if TYPE_CHECKING:
    from ._keeper.wire import NativeRequest


class SignIn(SignInEvents):
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
        super().__init__(token, timeout, mode, flow)
        #: The tokens for other APIs this sign-in gave (Token.for_resource), by resource.
        self._resources: dict[str, SignIn] = {}
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

    def keep_privately(self, request: NativeRequest) -> None:
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
        # ask(), not request(): the native request has a "timeout" field of its own (the sign-in's).
        self._line.ask("native", request, timeout=30)

    def renewing(self) -> bool:
        """Whether a keeper still renews this sign-in's token."""
        return self.renewable and self._line is not None and self._line.alive()

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
        parent = line.root_instance if line is not None and line.root is self else self.instance
        if line is None or line.gone or parent is None:
            from ._follow import for_resource

            return for_resource(None, resource)  # raises, saying why
        child = SignIn(Token(), self.timeout, mode=self.mode, flow=self.flow)
        child.instance = instance
        line.resource(parent, child, resource)
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
