"""``SignIn``: one sign-in as the kernel hears of it — from the server's token keeper directly (the
token, renewals, the end of the session) and from the widget (what the page shows) — and ``await``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, MutableMapping
from typing import TYPE_CHECKING, Any, Literal, cast

from ._codes import relayed_code
from ._errors import AuthenticationError, ConfigError
from ._follow import Follow
from ._protocol import STATUSES, ErrorMessage, Mode, Status, StatusMessage, TokenMessage
from ._redirect import pinned_redirect_uri, redirect_path
from ._stepup import registered, waited
from ._text import shown
from ._token import Token, clear, expire, fill, parse_token_message

if TYPE_CHECKING:
    from ._widget import OidcWidget

#: How long `await` waits for the page to answer before saying it cannot wait in this cell.
HANDSHAKE_SECONDS = 10.0
# Failures the user can still recover from in the widget while a cell waits.
_RECOVERABLE = {"popup_blocked", "popup_closed"}


class SignIn:
    """One sign-in, as the kernel last heard of it from the page.

    ``status``: ``idle``, ``signing_in``, ``needs_click``, ``signed_in``, ``renew_needed``,
    ``signed_out`` or ``error``; ``message``: the sentence the widget shows; ``error``: an
    AuthenticationError once something failed (cleared by the next token); ``token``: the dict
    being filled, kept current by renewals. ``await signin`` waits for the token (ipykernel ≥ 7).
    """

    def __init__(
        self,
        config: dict[str, Any],
        token: MutableMapping[str, Any],
        timeout: float,
        renew_before: float,
        mode: Mode = "popup",
    ) -> None:
        self.token = token
        self.timeout = timeout
        self.status: Status = "idle"
        self.message = ""
        self.error: AuthenticationError | None = None
        #: time.time() when the last token arrived from the page.
        self.received_at: float | None = None
        self._fell_back = False
        #: How this kernel gets its tokens: from the keeper itself, or relayed by the page ("page").
        self.via: Literal["keeper", "page"] | None = None
        if isinstance(token, Token):
            token._reason = lambda: self.error
        # Imported on the first sign-in, not with the package: anywidget brings ipywidgets, which
        # would double the cost of `import ipython_oidc_client` (benchmarks/README.md, Imports).
        from ._widget import OidcWidget

        self.widget: OidcWidget = OidcWidget(
            config=config,
            timeout=timeout,
            renew_before=renew_before,
            mode=mode,
            redirect_path=redirect_path(),
            pinned_redirect_uri=pinned_redirect_uri(),
            on_message=self._on_message,
        )
        #: Set when a sign-in ends without a token (a step-up waits on it).
        self._ended = threading.Event()
        self._follow = Follow(self.widget.instance, token, self._on_view, self._on_keeper_error)
        registered(token, self._step_up)

    def _step_up(self, wanted: dict[str, Any], reason: str) -> bool:
        """An API asked for a stronger sign-in (RFC 9470): sign in again with ``wanted`` (acr_values,
        max_age) once the person clicks; True when the new token has come."""
        old = str(self.token.get("access_token") or "")
        self.widget.config = {**self.widget.config, **wanted}  # the page signs in with these now
        self._ended.clear()
        why = f" ({shown(reason)})" if reason else ""
        asked = ", ".join(f"{k}={v}" for k, v in wanted.items())
        self.widget.send(
            {
                "type": "step_up",
                "message": f"The API asks for a stronger sign-in{why}: {asked}. Click Sign in to sign in "
                "again; the request is then made once more.",
            }
        )
        return waited(self.token, old, self.timeout, self._ended)

    def follow(self) -> None:
        """Follow at the keeper from the start where it already runs (authenticate() calls this once
        the widget is shown): the first token then reaches a cell that is busy by the time sign-in
        ends. Else the page's `session` message does it."""
        if self._follow.connect():
            self.via = "keeper"

    def _on_message(self, content: dict[str, Any]) -> None:
        handler = self._handlers.get(str(content.get("type")))
        if handler is not None:
            handler(content)

    @property
    def _handlers(self) -> dict[str, Callable[[Any], None]]:
        """One handler per PageMessage, taking that message's TypedDict (_protocol.py), whose fields
        it still reads as untrusted: the page is another program. A unit test holds this to
        js/messages.ts."""
        return {
            "ready": self._on_ready,
            "status": self._on_status,
            "session": self._on_session,
            "token": self._on_token,
            "error": self._on_error,
            "expired": self._on_expired,
            "logged_out": lambda _: clear(self.token),
        }

    def _on_session(self, _content: dict[str, Any]) -> None:
        # The page bound this widget to a session at the keeper: follow it there if this kernel can
        # reach the keeper (then page messages never carry a token); else the page relays tokens.
        via: Literal["keeper", "page"] = "keeper" if self._follow.connect() else "page"
        self.via = via
        self.widget.send({"type": "attached", "via": via})

    def _on_view(self, view: dict[str, Any], fresh: bool) -> None:
        """A change of the session at the keeper (in the follower's thread)."""
        if fresh:
            self.received_at = time.time()
        status = view.get("status")
        if status == "signed_out":
            self.status, self.received_at = "signed_out", None
        elif status == "expired":
            self.status, self.received_at = "error", None
        elif view.get("error"):
            self.status = "error"
        elif status == "signed_in":
            self.status = (
                "signed_in" if view.get("renewable") or not view.get("expires_at") else "renew_needed"
            )

    def _on_keeper_error(self, error: AuthenticationError | None) -> None:
        self.error = error
        if error is not None:
            self._ended.set()

    def _on_token(self, content: TokenMessage) -> None:
        if self.via != "page":
            return  # this kernel follows the keeper itself: a token from the page is not needed
        fill(self.token, parse_token_message(content))
        self.error = None
        self.received_at = time.time()

    def _on_status(self, content: StatusMessage) -> None:
        status = str(content.get("status", ""))
        self.status = cast(Status, status if status in STATUSES else "error")
        self.message = str(content.get("message", ""))

    def _on_error(self, content: ErrorMessage) -> None:
        error = AuthenticationError(relayed_code(content.get("error")), str(content.get("message")))
        if error.error == "no_server_extension" and self._fell_back:
            return  # another view of this widget: the kernel's own sign-in is under way or done
        self.error = error
        self._ended.set()
        if error.error == "no_server_extension":
            # No sign-in page on this server: the kernel signs in itself, by link and code.
            from ._fallback import fall_back_to_device

            self._fell_back = True
            try:
                if fall_back_to_device(self):
                    self.error = None
            except (AuthenticationError, ConfigError) as err:  # a config the native flows cannot use
                self.error = AuthenticationError("no_server_extension", f"{error.message} ({err})")

    def _on_ready(self, _content: dict[str, Any]) -> None:
        # A view drawn after this sign-in began (a reload, a second tab, the notebook reopened): the
        # session goes on at the keeper, where the page finds it by this widget's instance.
        self.widget.send({"type": "rejoin"})

    def _on_expired(self, _content: dict[str, Any]) -> None:
        # No refresh token and no renewal in time: the access token is gone here too; a renewal error
        # said earlier stays the reason.
        expire(self.token)
        self.received_at = None
        if self.error is None:
            self.error = AuthenticationError(
                "token_expired", "The access token has expired. Click Sign in in the widget to get a new one."
            )

    def logout(self) -> None:
        """Sign out: clear the token here now; the keeper revokes the refresh token and ends the session
        for every kernel that used it; the page ends the provider's session (RP-initiated logout) in a
        popup."""
        clear(self.token)
        self.status = "signed_out"
        self.widget.send({"type": "logout"})
        self._follow.logout()

    async def wait(self) -> MutableMapping[str, Any]:
        """Return the token once it has arrived; raise AuthenticationError when it cannot."""
        import re
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        try:  # the release numbers: "6.31.0" → (6, 31, 0), "7.0.0rc1" → (7, 0, 0); none → (0,)
            release = re.match(r"\d+(?:\.\d+)*", installed("ipykernel"))
        except PackageNotFoundError:
            release = None
        version = tuple(int(n) for n in release.group().split(".")) if release else (0,)
        if version < (7,):
            raise AuthenticationError(
                "cannot_wait",
                f"This kernel (ipykernel {'.'.join(map(str, version))}) does not receive widget messages "
                "while a cell runs, so a cell cannot wait for sign-in. Drop the `await`: call "
                "authenticate() in one cell and use the token in the next.",
            )
        import asyncio  # here, not at import: the package's import stays light (a kernel has it already)

        loop = asyncio.get_running_loop()
        start = loop.time()
        while self.received_at is None:
            waited = loop.time() - start
            if self.error and self.error.error not in _RECOVERABLE:
                raise self.error
            if not self.widget.answered and waited > HANDSHAKE_SECONDS:
                raise AuthenticationError(
                    "cannot_wait",
                    f"The page did not answer within {HANDSHAKE_SECONDS:.0f} s: this frontend does not "
                    "deliver widget messages while a cell runs. Drop the `await`: call authenticate() "
                    "in one cell and use the token in the next.",
                )
            if waited > self.timeout + HANDSHAKE_SECONDS:
                raise AuthenticationError(
                    "timeout",
                    f"Sign-in did not finish within {self.timeout:.0f} s. If the widget says you are "
                    "signed in, its messages are not reaching this kernel (seen after a kernel restart "
                    "made outside JupyterLab): reload the page and run the cell again.",
                )
            await asyncio.sleep(0.05)  # a condition polled with a deadline
        return self.token

    def __await__(self) -> Generator[Any, None, MutableMapping[str, Any]]:
        return self.wait().__await__()

    def _ipython_display_(self) -> None:
        # The widget shown by authenticate() is this object's display; showing a second, stale
        # text when authenticate() ends a cell would only confuse.
        return None

    def __repr__(self) -> str:
        return f"<SignIn status={self.status!r} error={self.error!r}>"
