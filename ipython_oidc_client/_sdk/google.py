"""``Token.as_google_credentials()``: a ``google.auth.credentials.Credentials``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._errors import AuthenticationError
from . import missing

try:
    from google.auth import credentials
    from google.auth.exceptions import RefreshError
except ImportError as e:
    raise missing("google-auth", "google", "as_google_credentials()") from e

if TYPE_CHECKING:
    from .._token import Token


class GoogleTokenError(AuthenticationError, RefreshError):
    """The project's error (``.error``, ``.message``), and the ``RefreshError`` that google-auth and
    the clients built on it expect from a credential that cannot give a token."""


class GoogleCredentials(credentials.Credentials):
    """Takes the Token's current access token and expiry before every request.

    The server's token keeper renews the token and the kernel's follower fills the Token in place;
    ``refresh()`` only reads it, so it costs no request. google-auth refreshes only a token that
    expires within minutes: a token renewed early, replaced by another sign-in or removed by sign-out
    would not reach the requests before that, so ``before_request`` takes it every time.
    """

    def __init__(self, token: Token) -> None:
        # google-auth ships py.typed but leaves its base class unannotated (mypy's
        # untyped_calls_exclude does not reach calls through super()).
        super().__init__()  # type: ignore[no-untyped-call]
        self._source = token

    def __repr__(self) -> str:
        return "GoogleCredentials(the current access token of a Token)"

    def refresh(self, request: Any) -> None:
        try:
            access_token, expires_at = self._source._current()
        except AuthenticationError as e:
            self.token = None  # nothing may go on using the last one
            raise GoogleTokenError(e.error, e.message) from None
        self.token = access_token
        # google-auth compares expiry with a naive UTC datetime (google.auth._helpers.utcnow).
        self.expiry = (
            None
            if expires_at is None
            else datetime.fromtimestamp(expires_at, tz=timezone.utc).replace(tzinfo=None)
        )

    def before_request(self, request: Any, method: str, url: str, headers: Mapping[str, str]) -> None:
        self.refresh(request)
        super().before_request(request, method, url, headers)  # type: ignore[no-untyped-call]
