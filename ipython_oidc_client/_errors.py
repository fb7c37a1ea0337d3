"""The errors this package raises. Each message says what was wrong and what to do next."""

from __future__ import annotations

from ._codes import Code


class OidcClientError(Exception):
    """Base class of every error raised by ipython_oidc_client."""


class ConfigError(OidcClientError, ValueError):
    """The config given to ``authenticate()`` cannot work; ``key`` names the offending setting."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key


class AuthenticationError(OidcClientError):
    """Sign-in failed in the browser.

    ``error`` is one of ours (``_codes.ErrorCode``, the README's table of error codes, e.g.
    ``popup_blocked``, ``timeout``, ``unknown_provider``) or the provider's own (RFC 6749 §4.1.2.1,
    e.g. ``access_denied``), passed through.
    """

    def __init__(self, error: Code, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
