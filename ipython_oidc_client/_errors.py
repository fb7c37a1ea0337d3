"""The errors this package raises. Each message says what was wrong and what to do next."""

from __future__ import annotations


class OidcClientError(Exception):
    """Base class of every error raised by ipython_oidc_client."""


class ConfigError(OidcClientError, ValueError):
    """The config given to ``authenticate()`` cannot work; ``key`` names the offending setting."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key


class AuthenticationError(OidcClientError):
    """Sign-in failed in the browser.

    ``error`` is the provider's error code (RFC 6749 §4.1.2.1, e.g. ``access_denied``) or one of
    ours: ``popup_blocked``, ``popup_closed``, ``timeout``, ``provider_unreachable``,
    ``discovery_invalid``, ``token_request_failed``, ``invalid_id_token``, ``invalid_response``,
    ``cancelled``, ``unknown_provider`` (no such administrator's provider; the message lists them),
    ``registry_unavailable`` (the server did not give its providers).
    """

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
