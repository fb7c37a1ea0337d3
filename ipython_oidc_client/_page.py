"""The widget's side of a ``SignIn``: what its page says (js/messages.ts PageMessage) becomes a call
on the SignIn, and what the kernel asks of the page (a step-up, a rejoin) goes to the widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, cast

from ._codes import relayed_code
from ._errors import AuthenticationError, ConfigError
from ._protocol import STATUSES, ErrorMessage, Status, StatusMessage, TokenMessage
from ._redirect import pinned_redirect_uri, redirect_path
from ._stepup import registered, waited
from ._text import shown
from ._token import parse_token_message

if TYPE_CHECKING:
    from ._signin import SignIn


class Page:
    def __init__(
        self, signin: SignIn, config: dict[str, Any], timeout: float, renew_before: float, mode: str
    ) -> None:
        self.signin = signin
        # Imported on the first sign-in, not with the package: anywidget brings ipywidgets, which
        # would double the cost of `import ipython_oidc_client` (benchmarks/README.md, Imports).
        from ._widget import OidcWidget

        self.widget = OidcWidget(
            config=config,
            timeout=timeout,
            renew_before=renew_before,
            mode=mode,
            redirect_path=redirect_path(),
            pinned_redirect_uri=pinned_redirect_uri(),
            on_message=self._on_message,
        )
        self._fell_back = False
        registered(signin.token, self.step_up)

    def step_up(self, wanted: dict[str, Any], reason: str) -> bool:
        """An API asked for a stronger sign-in (RFC 9470): sign in again with ``wanted`` (acr_values,
        max_age) once the person clicks; True when the new token has come."""
        token = self.signin.token
        old = str(token.get("access_token") or "")
        ended = self.signin.expect_new_sign_in()
        self.widget.config = {**self.widget.config, **wanted}  # the page signs in with these now
        why = f" ({shown(reason)})" if reason else ""
        asked = ", ".join(f"{k}={v}" for k, v in wanted.items())
        self.widget.send(
            {
                "type": "step_up",
                "message": f"The API asks for a stronger sign-in{why}: {asked}. Click Sign in to sign in "
                "again; the request is then made once more.",
            }
        )
        return waited(token, old, self.signin.timeout, ended)

    def _on_message(self, content: dict[str, Any]) -> None:
        handler = self.handlers.get(str(content.get("type")))
        if handler is not None:
            handler(content)

    @property
    def handlers(self) -> dict[str, Callable[[Any], None]]:
        """One handler per PageMessage, taking that message's TypedDict (_protocol.py), whose fields
        it still reads as untrusted: the page is another program. A unit test holds this to
        js/shared/messages.ts."""
        signin = self.signin
        return {
            "ready": self._on_ready,
            "status": self._on_status,
            "session": self._on_session,
            "token": self._on_token,
            "error": self._on_error,
            "expired": lambda _: signin.page_expired(),
            "logged_out": lambda _: signin.page_logged_out(),
        }

    def _on_ready(self, _content: dict[str, Any]) -> None:
        # A view drawn after this sign-in began (a reload, a second tab, the notebook reopened): the
        # session goes on at the keeper, where the page finds it by this widget's instance.
        self.widget.send({"type": "rejoin"})

    def _on_token(self, content: TokenMessage) -> None:
        self.signin.page_token(parse_token_message(content))

    def _on_status(self, content: StatusMessage) -> None:
        status = str(content.get("status", ""))
        self.signin.page_status(
            cast(Status, status if status in STATUSES else "error"), str(content.get("message", ""))
        )

    def _on_session(self, _content: dict[str, Any]) -> None:
        # The page bound this widget to a session at the keeper: follow it there if this kernel can
        # reach the keeper (then page messages never carry a token); else the page relays tokens.
        self.signin.follow(relay=True)
        via: Literal["keeper", "page"] = "keeper" if self.signin.via == "keeper" else "page"
        self.widget.send({"type": "attached", "via": via})

    def _on_error(self, content: ErrorMessage) -> None:
        error = AuthenticationError(relayed_code(content.get("error")), str(content.get("message")))
        if error.error == "no_server_extension" and self._fell_back:
            return  # another view of this widget: the kernel's own sign-in is under way or done
        self.signin.page_error(error)
        if error.error == "no_server_extension":
            # No sign-in page on this server: the kernel signs in itself, by link and code.
            from ._fallback import fall_back_to_device

            self._fell_back = True
            try:
                fall_back_to_device(self.signin, dict(self.widget.config), self.widget.renew_before)
            except (AuthenticationError, ConfigError) as err:  # a config the native flows cannot use
                self.signin.page_error(AuthenticationError("no_server_extension", f"{error.message} ({err})"))
