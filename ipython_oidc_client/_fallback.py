"""Where the notebook page's server runs no ipython-oidc-client extension (VS Code, Colab, a server
the package is not installed on), the page has no callback page and cannot sign in. The widget says
so (``no_server_extension``); the kernel then signs in itself with the device authorization grant
(RFC 8628) and shows the link and the code in the widget (docs/native.md). The refresh token stays
in a keeper process, as everywhere without a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._signin import SignIn

#: A device code lives 5–15 minutes at most providers: the widget's 120-s default is too short.
DEVICE_SECONDS = 600.0


def fall_back_to_device(signin: SignIn, config: dict[str, Any], renew_before: float) -> bool:
    """Start the device grant for ``signin``, which then shows its lines in its widget; False when it
    cannot (a provider named by an administrator, whose settings only a server extension knows)."""
    if "provider" in config:
        return False
    from ._native import start

    start(signin, config, "device", max(signin.timeout, DEVICE_SECONDS), True, renew_before)
    return True
