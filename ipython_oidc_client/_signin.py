"""``SignIn``: one sign-in as the kernel hears of it from the widget, and ``await`` on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, MutableMapping
from typing import TYPE_CHECKING, Any, cast

from ._errors import AuthenticationError, ConfigError
from ._protocol import STATUSES, Mode, Status
from ._redirect import pinned_redirect_uri, redirect_path
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
        self._trip_key: str | None = None
        self._fell_back = False
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

    def _on_message(self, content: dict[str, Any]) -> None:
        handler = self._handlers.get(str(content.get("type")))
        if handler is not None:
            handler(content)

    @property
    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """One handler per PageMessageType (a unit test holds this to js/messages.ts)."""
        return {
            "ready": self._on_ready,
            "status": self._on_status,
            "token": self._on_token,
            "error": self._on_error,
            "expired": self._on_expired,
            "logged_out": lambda _: clear(self.token),
            "trip_key": self._on_trip_key,
            "trip_back": self._on_trip_back,
        }

    def _on_token(self, content: dict[str, Any]) -> None:
        fill(self.token, parse_token_message(content))
        self.error = None
        self.received_at = time.time()

    def _on_status(self, content: dict[str, Any]) -> None:
        status = str(content.get("status", ""))
        self.status = cast(Status, status if status in STATUSES else "error")
        self.message = str(content.get("message", ""))

    def _on_error(self, content: dict[str, Any]) -> None:
        error = AuthenticationError(str(content.get("error")), str(content.get("message")))
        if error.error == "no_server_extension" and self._fell_back:
            return  # another view of this widget: the kernel's own sign-in is under way or done
        self.error = error
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
        # The page was reloaded (or the notebook reopened) after this sign-in began: its tokens died
        # with the old page; tell it what this kernel still holds, so that it can say so.
        expires_at = self.token.get("expires_at") if self.received_at is not None else None
        self.widget.send({"type": "rejoin", "expires_at": expires_at})

    def _on_expired(self, _content: dict[str, Any]) -> None:
        # No refresh token and no renewal in time: the access token is gone here too; a renewal error
        # said earlier stays the reason.
        expire(self.token)
        self.received_at = None
        if self.error is None:
            self.error = AuthenticationError(
                "token_expired", "The access token has expired. Click Sign in in the widget to get a new one."
            )

    def _on_trip_key(self, content: dict[str, Any]) -> None:
        # Redirect mode: the key that seals this sign-in's state in the tab while the page is at the
        # provider (docs/architecture.md). Held in memory only, handed back once.
        key = content.get("key")
        self._trip_key = key if isinstance(key, str) and len(key) <= 64 else None
        self.widget.send({"type": "trip_key_kept"})

    def _on_trip_back(self, _content: dict[str, Any]) -> None:
        self.widget.send({"type": "trip_key", "key": self._trip_key})
        self._trip_key = None

    def logout(self) -> None:
        """Sign out: clear the token here now; in the page, revoke the refresh token, forget every
        token, and end the provider's session (RP-initiated logout) in a popup."""
        clear(self.token)
        self.status = "signed_out"
        self.widget.send({"type": "logout"})

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
