"""Sign in to an OpenID Connect provider from a notebook cell; only the access token reaches the kernel."""

from __future__ import annotations

from typing import Any

from ._errors import AuthenticationError, ConfigError, OidcClientError
from ._signin import SignIn, authenticate, logout
from ._token import Token

__version__ = "0.2.0"
__all__ = [
    "AuthenticationError",
    "ConfigError",
    "OidcClientError",
    "SignIn",
    "Token",
    "authenticate",
    "logout",
]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import OidcExtension

    return [{"module": "ipython_oidc_client", "app": OidcExtension}]
