"""The helper process of a sign-in without a notebook frontend (docs/native.md).

``sign_in()`` starts it with ``python -m ipython_oidc_client._native.helper``, in a session of its
own, and writes one JSON line to its stdin: the checked config, the flow, the timeout and whether to
renew. The helper runs the whole flow — discovery, device grant or loopback redirect, the token
request, ID token validation — and then renews the access token before it expires. It is the only
process that ever holds the refresh token, the ID token, the code, the device code and the PKCE
verifier: to its parent it writes only JSON lines of these kinds:

    {"type": "say", "text": …}              a line for the user (the link and the user code)
    {"type": "token", "access_token": …, "expires_at": …, "scope": …, "token_type": …}
    {"type": "error", "error": code, "message": …}
    {"type": "expired"}                     no renewal in time; the access token is gone

It exits when its stdin reaches end of file, that is when the parent closes it or exits.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any, TextIO

from .._errors import AuthenticationError, ConfigError
from . import device, loopback
from ._http import Http
from .checks import check_discovery, offers_device_flow
from .common import Say, Validated, discover, refresh
from .config import NativeConfig, native_config

#: After a failed renewal, how long to wait before the next try (while the access token lives).
RETRY_SECONDS = 10.0


class Channel:
    """JSON lines to the parent, one writer at a time."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._out.write(json.dumps(message) + "\n")
            self._out.flush()

    def say(self, text: str) -> None:
        self.send({"type": "say", "text": text})

    def error(self, err: AuthenticationError) -> None:
        self.send({"type": "error", "error": err.error, "message": err.message})


def run_flow(cfg: NativeConfig, flow: str, http: Http, say: Say, timeout: float) -> Validated:
    """Run ``flow``; ``auto``: the device grant when the provider offers it, else loopback."""
    if flow == "device":
        return device.run(cfg, discover(cfg, http, device.NEEDS), http, say, timeout)
    if flow == "loopback":
        return loopback.run(cfg, discover(cfg, http, loopback.NEEDS), http, say, timeout)
    started = time.monotonic()
    metadata = discover(cfg, http, ("token_endpoint", "jwks_uri"))
    if offers_device_flow(metadata):
        say(
            'Signing in with the device authorization grant (flow="device"): the provider offers it, '
            "and it works from any browser, on this machine or another."
        )
        try:
            return device.run(
                cfg, check_discovery(metadata, cfg.authority, "", device.NEEDS), http, say, timeout
            )
        except AuthenticationError as err:
            if err.error != "unauthorized_client":
                raise
            say(
                "This client may not use the device grant; signing in through the browser instead "
                '(flow="loopback").'
            )
    else:
        say(
            'Signing in through the browser on this machine (flow="loopback"): the provider offers no '
            "device authorization grant."
        )
    left = max(timeout - (time.monotonic() - started), 1.0)
    return loopback.run(cfg, check_discovery(metadata, cfg.authority, "", loopback.NEEDS), http, say, left)


def renew_until_gone(
    cfg: NativeConfig,
    http: Http,
    channel: Channel,
    signed: Validated,
    renew_before: float,
) -> None:
    """Renew the access token ``renew_before`` seconds before it expires (at most half its lifetime
    before), for as long as the provider renews it; the refresh token stays here."""
    metadata = signed.metadata
    tokens, subject = signed.tokens, signed.subject
    refresh_token = tokens.refresh_token
    issued = time.time()
    while refresh_token is not None and tokens.expires_at is not None:
        lifetime = max(tokens.expires_at - issued, 0.0)
        time.sleep(max(tokens.expires_at - min(renew_before, lifetime / 2) - time.time(), 0.0))
        try:
            renewed = refresh(cfg, metadata, http, refresh_token, subject)
        except AuthenticationError as err:
            channel.error(
                AuthenticationError(
                    "renewal_failed",
                    f"The access token could not be renewed ({err}). Run authenticate() again.",
                )
            )
            if err.error == "invalid_grant" or time.time() + RETRY_SECONDS >= tokens.expires_at:
                time.sleep(max(tokens.expires_at - time.time(), 0.0))
                channel.send({"type": "expired"})
                return
            time.sleep(RETRY_SECONDS)
            continue
        issued = time.time()
        tokens = renewed.tokens
        refresh_token = tokens.refresh_token or refresh_token  # RFC 6749 §6: it may be rotated
        channel.send({"type": "token", **tokens.for_user()})


def _exit_on_eof() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main() -> int:
    request = json.loads(sys.stdin.readline())
    threading.Thread(target=_exit_on_eof, daemon=True, name="parent-watch").start()
    channel = Channel(sys.stdout)
    try:
        cfg = native_config(request["config"])
        http = Http(cfg.request_timeout)
        signed = run_flow(cfg, request["flow"], http, channel.say, float(request["timeout"]))
    except AuthenticationError as err:
        channel.error(err)
        return 1
    except ConfigError as err:
        channel.error(AuthenticationError("config", str(err)))
        return 1
    except Exception as err:  # the parent must hear of it; it never carries a token
        channel.error(AuthenticationError("invalid_response", f"{type(err).__name__}: {err}"))
        return 1
    channel.send({"type": "token", **signed.tokens.for_user()})
    if request.get("renew") and signed.tokens.refresh_token is not None:
        renew_until_gone(cfg, http, channel, signed, float(request.get("renew_before", 60)))
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    # Not sys.exit: the thread that watches stdin holds its lock, which finalization would wait for.
    os._exit(status)
