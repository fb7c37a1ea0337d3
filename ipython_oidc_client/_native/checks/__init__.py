"""Pure checks of what a provider answers, for every sign-in the keeper makes: the one the notebook's
browser drives, the device authorization grant and the loopback redirect. Nothing here touches the
network, so every check runs offline in the unit tests; fetching lives in ``_http.py`` (the split
authlib and oauth4webapi make). Each check cites its RFC and exists only here: the page checks no
issuer, state or ID token (docs/architecture.md)."""

from .device import (
    DEFAULT_INTERVAL,
    DEVICE_CODE_GRANT,
    MAX_BACKOFF_INTERVAL,
    SLOW_DOWN_STEP,
    DeviceAuthorization,
    backoff,
    next_poll,
    parse_device_authorization,
)
from .discovery import ENDPOINTS, check_discovery, is_loopback, offers_device_flow
from .errors import error_code, token_error
from .idtoken import ALLOWED_ALGORITHMS, NoMatchingKey, validate_id_token
from .tokens import TokenResponse, check_loopback_answer, parse_token_response

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_INTERVAL",
    "DEVICE_CODE_GRANT",
    "ENDPOINTS",
    "MAX_BACKOFF_INTERVAL",
    "SLOW_DOWN_STEP",
    "DeviceAuthorization",
    "NoMatchingKey",
    "TokenResponse",
    "backoff",
    "check_discovery",
    "check_loopback_answer",
    "error_code",
    "is_loopback",
    "next_poll",
    "offers_device_flow",
    "parse_device_authorization",
    "parse_token_response",
    "token_error",
    "validate_id_token",
]
