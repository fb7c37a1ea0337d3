"""``authenticate()``: show the widget and follow its sign-in from the kernel."""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from ._config import check_config, check_timeout
from ._errors import AuthenticationError
from ._token import Token, fill, parse_token_message
from ._widget import OidcWidget


class SignIn:
    """One sign-in, as the kernel last heard of it from the page.

    ``status`` is ``idle``, ``signing_in``, ``needs_click``, ``signed_in`` or ``error``;
    ``message`` is the sentence the widget shows; ``error`` is an AuthenticationError once sign-in
    failed (cleared when a later attempt succeeds); ``token`` is the dict being filled.
    """

    def __init__(self, config: dict[str, Any], token: MutableMapping[str, Any], timeout: float) -> None:
        self.token = token
        self.status = "idle"
        self.message = ""
        self.error: AuthenticationError | None = None
        #: time.time() when the last token arrived from the page.
        self.received_at: float | None = None
        self.widget = OidcWidget(config=config, timeout=timeout, on_message=self._on_message)

    def _on_message(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        if kind == "token":
            fill(self.token, parse_token_message(content))
            self.error = None
            self.received_at = time.time()
        elif kind == "status":
            self.status = str(content.get("status", ""))
            self.message = str(content.get("message", ""))
        elif kind == "error":
            self.error = AuthenticationError(str(content.get("error")), str(content.get("message")))

    def _ipython_display_(self) -> None:
        # The widget shown by authenticate() is this object's display; showing a second, stale
        # text when authenticate() ends a cell would only confuse.
        return None

    def __repr__(self) -> str:
        return f"<SignIn status={self.status!r} error={self.error!r}>"


def authenticate(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any] | None = None,
    *,
    timeout: float = 120.0,
) -> SignIn:
    """Sign in to an OpenID Connect provider in the browser; fill ``token`` with the access token.

    ``config`` takes oidc-client-ts settings (``authority``, ``client_id``, ``scope``, …).
    ``token`` is filled in place with ``access_token``, ``expires_at``, ``scope`` and
    ``token_type`` once the user has signed in, without re-running the cell. ``timeout`` bounds
    the whole sign-in, in seconds. Returns a SignIn whose ``error`` tells the kernel what failed.
    """
    from IPython.display import display

    checked = check_config(config)
    seconds = check_timeout(timeout)
    if token is None:
        token = Token()
    elif not isinstance(token, MutableMapping):
        raise TypeError(
            f"token must be a dict (it is filled in place) or omitted, got {type(token).__name__}."
        )
    signin = SignIn(checked, token, seconds)
    display(signin.widget)  # type: ignore[no-untyped-call]
    return signin
