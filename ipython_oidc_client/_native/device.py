"""The device authorization grant (RFC 8628): the user signs in on any browser, on this machine or
another, with a link and a short code printed as text; this process polls the token endpoint.

Fetching (``run``) is apart from the decisions (``checks.parse_device_authorization``,
``checks.next_poll``) and from the clock (``poll`` takes ``sleep`` and ``clock``), so that the
polling rules are unit-tested offline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .._errors import AuthenticationError
from ._http import Http, Unreachable
from .checks import DEVICE_CODE_GRANT, DeviceAuthorization, backoff, next_poll, parse_device_authorization
from .common import Say, Validated, accept_tokens
from .config import NativeConfig

NEEDS = ("token_endpoint", "jwks_uri", "device_authorization_endpoint")


def request_codes(cfg: NativeConfig, metadata: dict[str, Any], http: Http) -> DeviceAuthorization:
    """RFC 8628 §3.1: ask for a device code and a user code."""
    data = {"client_id": cfg.client_id, "scope": cfg.scope, **cfg.auth_params}
    if cfg.resources:
        data["resource"] = cfg.resources[0]  # a form field once; RFC 8707 §2 allows several, requests too
    url = metadata["device_authorization_endpoint"]
    try:
        status, body = http.post_form(url, data)
    except Unreachable as err:
        raise AuthenticationError(
            "provider_unreachable", f"The device authorization request to {url} failed ({err})."
        ) from None
    return parse_device_authorization(status, body, metadata["issuer"])


def poll(
    token_request: Callable[[], tuple[int, Any]],
    auth: DeviceAuthorization,
    timeout: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """Poll the token endpoint until it answers with tokens (RFC 8628 §3.4, §3.5); return its body.

    Waits ``interval`` before each request; ``slow_down`` adds 5 s for good; a failed connection
    doubles the wait (§3.5 backoff). Stops with ``access_denied`` or ``expired_token`` as the
    provider says, with ``expired_token`` once the code's ``expires_in`` has passed anyway, and with
    ``timeout`` after ``timeout`` seconds. KeyboardInterrupt passes through ``sleep``.
    """
    start = clock()
    expires = start + auth.expires_in
    deadline = start + timeout
    interval = auth.interval
    while True:
        now = clock()
        if now >= deadline:
            raise AuthenticationError(
                "timeout", f"Sign-in did not finish within {timeout:.0f} s. Run authenticate() again."
            )
        if now >= expires + interval:
            raise AuthenticationError(
                "expired_token",
                f"The sign-in code expired after {auth.expires_in:.0f} s before sign-in finished in the "
                "browser. Run authenticate() again and open the new link sooner.",
            )
        sleep(min(interval, max(deadline - now, 0.0)))
        try:
            status, body = token_request()
        except Unreachable:
            interval = backoff(interval)
            continue
        following = next_poll(status, body, interval)
        if following is None:
            return body
        interval = following


def run(cfg: NativeConfig, metadata: dict[str, Any], http: Http, say: Say, timeout: float) -> Validated:
    auth = request_codes(cfg, metadata, http)
    # The same text for a terminal; the widget gets the fields, so that only the link is a link.
    say(auth.prompt(), auth.verification())
    data = {"grant_type": DEVICE_CODE_GRANT, "device_code": auth.device_code, "client_id": cfg.client_id}
    data.update(cfg.token_params)

    def token_request() -> tuple[int, Any]:
        return http.post_form(metadata["token_endpoint"], data)

    body = poll(token_request, auth, timeout)
    # No nonce: the device grant has no authorization request to carry one (RFC 8628 §3.1).
    return accept_tokens(body, cfg, metadata, http, nonce=None)
