"""Where the notebook page's server runs no ipython-oidc-client extension (VS Code, Colab, a server
the package is not installed on), the page has no callback page and cannot sign in. The widget says
so (``no_server_extension``); the kernel then signs in itself with the device authorization grant
(RFC 8628) and shows the link and the code in the widget (docs/native.md). The refresh token stays
in a keeper process, as everywhere without a page."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._errors import AuthenticationError

if TYPE_CHECKING:
    from ._protocol import DeviceMessage, Verification
    from ._signin import SignIn

#: A device code lives 5–15 minutes at most providers: the widget's 120-s default is too short.
DEVICE_SECONDS = 600.0


def fall_back_to_device(signin: SignIn) -> bool:
    """Start the device grant for ``signin``; False when it cannot (a provider named by an
    administrator, whose settings only a server extension knows)."""
    config = dict(signin.widget.config)
    if "provider" in config:
        return False
    from ._native import start_in_background

    def say(text: str, verification: Verification | None = None) -> None:
        # The fields, not the text, say what the widget links: only the verification URI (RFC 8628
        # §3.3), never a URL that a provider's error description happens to hold.
        signin.message = text
        message: DeviceMessage = {"type": "device", "state": "waiting", "message": text}
        if verification is not None:
            message["verification"] = verification
        signin.widget.send(message)

    def signed_in() -> None:
        signin.error = None
        signin.status = "signed_in"
        signin.message = "Signed in with a link and a code; the token is renewed while this kernel runs."
        signin.received_at = time.time()
        signin.widget.send({"type": "device", "state": "signed_in", "message": signin.message})

    def failed(err: AuthenticationError) -> None:
        signin.error = err
        signin.status = "error"
        signin.message = err.message
        signin.widget.send({"type": "device", "state": "error", "message": err.message})

    signin.timeout = max(signin.timeout, DEVICE_SECONDS)
    start_in_background(
        config,
        signin.token,
        flow="device",
        timeout=signin.timeout,
        renew_before=signin.widget.renew_before,
        on_say=say,
        on_token=signed_in,
        on_error=failed,
    )
    signin.status = "signing_in"
    return True
