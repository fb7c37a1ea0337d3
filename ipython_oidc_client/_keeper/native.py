"""A sign-in without a notebook frontend, run by the keeper (docs/native.md): the device
authorization grant (RFC 8628) or the system browser and a loopback redirect (RFC 8252). The keeper
then holds the session as it holds the browser's, and renews it with the same scheduler."""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Any

from .._codes import Code
from .._errors import AuthenticationError, ConfigError
from .._native import device, loopback
from .._native._http import Http
from .._native.checks import check_discovery, offers_device_flow
from .._native.common import Say, Validated, discover
from .._native.config import FLOWS, NativeConfig, native_config
from .._protocol import Verification
from .keeper import Keeper
from .session import Session
from .state import Send
from .wire import FailedEvent, SayEvent


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


def sign_in_natively(keeper: Keeper, request: dict[str, Any], send: Send) -> None:
    """Run the flow, then keep the session for ``send``'s connection: ``say`` lines while signing in,
    a ``session`` event with each token, ``failed`` if sign-in fails."""

    def failed(code: Code, message: str) -> None:
        event: FailedEvent = {"event": "failed", "error": code, "message": message}
        send(event)

    def say(text: str, verification: Verification | None = None) -> None:
        event: SayEvent = {"event": "say", "text": text}
        if verification is not None:
            event["verification"] = verification
        send(event)

    try:
        cfg = native_config(request.get("config"))
        flow = request.get("flow", "auto")
        if flow not in FLOWS:
            raise ConfigError(None, f"flow must be one of {', '.join(FLOWS)}, got {flow!r}.")
        signed = run_flow(
            cfg,
            str(flow),
            Http(cfg.request_timeout),
            say,
            float(request.get("timeout", 300)),
        )
    except AuthenticationError as err:
        return failed(err.error, err.message)
    except ConfigError as err:
        return failed("config", str(err))
    except Exception as err:  # the user's process must hear of it; it never carries a token
        return failed("invalid_response", f"{type(err).__name__}: {err}")
    tokens = signed.tokens
    if not request.get("renew", True):
        tokens = dataclasses.replace(tokens, refresh_token=None)  # nothing to renew with: not kept
    sid = secrets.token_urlsafe(16)
    session = Session(
        id=sid,
        key=f"native:{sid}",
        cfg=cfg,
        config=dict(request.get("config") or {}),
        metadata=signed.metadata,
        keys=keeper.keys(signed.metadata["jwks_uri"]),
        label=None,
        renew_before=float(request.get("renew_before", 60)),
    )
    instance = f"native:{sid}"
    with keeper.state.lock:
        keeper.state.sessions[sid] = session
        keeper.state.follow(instance, send)
        keeper.state.bindings[instance] = sid
        keeper._signed_in(session, tokens, signed.subject, signed.claims)
