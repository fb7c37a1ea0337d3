"""Where the provider sends the browser back: what the kernel knows of it (a pin in its environment,
JupyterHub's one redirect URI for every user), passed to the widget, which ranks it
(js/signin/settings.ts)."""

from __future__ import annotations

import os

from ._config import _check_url
from ._errors import ConfigError

#: An admin's pinned redirect URI, e.g. in JupyterHub's ``c.Spawner.environment``; the server's
#: ``OidcExtension.redirect_uri`` and a config's own ``redirect_uri`` come first.
REDIRECT_URI_ENV = "IPYTHON_OIDC_CLIENT_REDIRECT_URI"


def pinned_redirect_uri() -> str:
    pinned = os.environ.get(REDIRECT_URI_ENV, "")
    if pinned:
        try:
            _check_url("redirect_uri", pinned)
        except ConfigError as err:
            raise ConfigError(None, f"The environment variable {REDIRECT_URI_ENV}: {err}") from None
    return pinned


def redirect_path() -> str:
    """On JupyterHub, the path of the one redirect URI for every user (docs/architecture.md): the hub
    sends ``/hub/user-redirect/…`` on to the user's own server, query and fragment kept."""
    hub = os.environ.get("JUPYTERHUB_BASE_URL")
    if not hub or not os.environ.get("JUPYTERHUB_SERVICE_PREFIX"):
        return ""
    return hub.rstrip("/") + "/hub/user-redirect/oidc/redirect.html"
