"""Sign in to an OpenID Connect provider from a notebook cell; only the access token reaches the kernel."""

from __future__ import annotations

from typing import Any

from ._authenticate import authenticate, logout
from ._errors import AuthenticationError, ConfigError, OidcClientError
from ._signin import SignIn
from ._token import Token

# package.json's "version", written into _version.py by the build (pyproject.toml: [tool.hatch.version]).
from ._version import __version__ as __version__  # re-exported

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


# What the original package's install commands look for: `jupyter serverextension enable --py`
# and `jupyter nbextension install/enable --py` (notebook < 7). They are no longer needed: the
# server extension is enabled on install, and the widget comes through anywidget.
def _jupyter_server_extension_paths() -> list[dict[str, str]]:
    return [{"module": "ipython_oidc_client"}]


def _jupyter_nbextension_paths() -> list[dict[str, str]]:
    return [
        {
            "section": "notebook",
            "src": "nbextension",
            "dest": "ipython_oidc_client",
            "require": "ipython_oidc_client/main",
        }
    ]


def load_jupyter_server_extension(serverapp: Any) -> None:
    """notebook 6 (`NotebookApp.nbserver_extensions`) loads the server extension through this."""
    from .server.extension import load_jupyter_server_extension as load

    load(serverapp)
