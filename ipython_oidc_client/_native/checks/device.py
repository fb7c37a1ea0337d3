"""The device authorization grant's answers (RFC 8628 §3.2, §3.5): the device code response and each poll."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..._errors import AuthenticationError
from .discovery import is_loopback
from .errors import _description, error_code

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

#: RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
DEFAULT_INTERVAL = 5.0
#: RFC 8628 §3.5: on slow_down "the interval MUST be increased by 5 seconds for this and all
#: subsequent requests".
SLOW_DOWN_STEP = 5.0
#: RFC 8628 §3.5 asks for exponential backoff when the token endpoint cannot be reached; capped.
MAX_BACKOFF_INTERVAL = 60.0


@dataclass(frozen=True)
class DeviceAuthorization:
    """RFC 8628 §3.2: what the device authorization endpoint answered. ``device_code`` stays in the
    process that polls; the user sees ``verification_uri(_complete)`` and ``user_code``."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float

    def prompt(self) -> str:
        """What the user is told: the link, and the code to type if the link does not carry it."""
        if self.verification_uri_complete:
            return (
                f"To sign in, open {self.verification_uri_complete} in a browser "
                f"and check that it shows the code {self.user_code}."
            )
        return f"To sign in, open {self.verification_uri} in a browser and enter the code {self.user_code}."


def parse_device_authorization(status: int, body: Any) -> DeviceAuthorization:
    """Check the device authorization response (RFC 8628 §3.2), or raise with the provider's error
    (§3.1 errors are RFC 6749 §5.2 errors, e.g. ``unauthorized_client``)."""
    if status != 200 or not isinstance(body, Mapping):
        code = error_code(body)
        if code == "unauthorized_client" or code == "invalid_client":
            raise AuthenticationError(
                code,
                "The provider does not allow this client the device authorization grant"
                + (_description(body) if isinstance(body, Mapping) else "")
                + ". Register the grant type urn:ietf:params:oauth:grant-type:device_code for it, or "
                'sign in with flow="loopback".',
            )
        if code is not None:
            raise AuthenticationError(
                code, "The device authorization request was refused" + _description(body)
            )
        raise AuthenticationError(
            "invalid_response", f"The device authorization endpoint answered HTTP {status} without an error."
        )
    for field in ("device_code", "user_code", "verification_uri"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise AuthenticationError(
                "invalid_response", f'The device authorization response has no "{field}" (RFC 8628 §3.2).'
            )
    for field in ("verification_uri", "verification_uri_complete"):
        value = body.get(field)
        if value is None:
            continue
        parts = urlsplit(str(value))
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
            raise AuthenticationError(
                "invalid_response",
                f'The provider gives "{field}" as {value!r}: the user would sign in over plain http. '
                "Ask the provider's administrator to fix it.",
            )
    expires_in = body.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or expires_in <= 0:
        raise AuthenticationError(
            "invalid_response", 'The device authorization response has no valid "expires_in" (RFC 8628 §3.2).'
        )
    interval = body.get("interval", DEFAULT_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        interval = DEFAULT_INTERVAL
    complete = body.get("verification_uri_complete")
    return DeviceAuthorization(
        device_code=body["device_code"],
        user_code=body["user_code"],
        verification_uri=body["verification_uri"],
        verification_uri_complete=complete if isinstance(complete, str) and complete else None,
        expires_in=float(expires_in),
        interval=float(interval),
    )


def next_poll(status: int, body: Any, interval: float) -> float | None:
    """RFC 8628 §3.5: what one answer of the token endpoint to a device code poll means.

    Returns None when ``body`` holds the tokens, else the interval to wait before the next poll
    (``authorization_pending``: the same; ``slow_down``: 5 s more, for good). Raises
    AuthenticationError when polling must stop: ``access_denied``, ``expired_token``, or any other
    error (RFC 6749 §5.2).
    """
    if status == 200 and isinstance(body, Mapping) and "error" not in body:
        return None
    code = error_code(body)
    if code == "authorization_pending":
        return interval
    if code == "slow_down":
        return interval + SLOW_DOWN_STEP
    desc = _description(body) if isinstance(body, Mapping) else ""
    if code == "access_denied":
        raise AuthenticationError(
            "access_denied", "Sign-in was refused at the provider (you chose not to allow it)" + desc + "."
        )
    if code == "expired_token":
        raise AuthenticationError(
            "expired_token",
            "The sign-in code expired before sign-in finished in the browser" + desc + ". Run authenticate() "
            "again and open the new link sooner.",
        )
    if code is not None:
        raise AuthenticationError(code, "The provider refused the device code" + desc + ".")
    raise AuthenticationError(
        "invalid_response", f"The token endpoint answered HTTP {status} without an error."
    )


def backoff(interval: float) -> float:
    """RFC 8628 §3.5: after a connection failure, wait longer (exponential backoff), capped."""
    return min(interval * 2, MAX_BACKOFF_INTERVAL)
