"""A provider's error answers (RFC 6749 §5.2): the code held to the spec's character set, the
description bounded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..._codes import ProviderCode, provider_code
from ..._errors import AuthenticationError
from ..._text import shown

# RFC 6749 §5.2: error codes are made of %x20-21 / %x23-5B / %x5D-7E; no quote, no backslash.
_ERROR_CODE = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$")


def error_code(body: Any) -> ProviderCode | None:
    """The ``error`` of an RFC 6749 §5.2 error answer, or None when there is none or it is malformed."""
    if not isinstance(body, Mapping):
        return None
    code = body.get("error")
    return provider_code(code) if isinstance(code, str) and _ERROR_CODE.match(code) else None


def _description(body: Mapping[str, Any]) -> str:
    text = body.get("error_description")
    if not isinstance(text, str) or not text:
        return ""
    return " (" + shown(text) + ")"


def token_error(status: int, body: Any, what: str) -> AuthenticationError:
    """An RFC 6749 §5.2 error answer of the token endpoint, as an AuthenticationError."""
    code = error_code(body)
    if code is None and status >= 500:
        # A gateway's 502 or a provider's 503: it could not serve the request, which may work later.
        return AuthenticationError("token_request_failed", f"The {what} answered HTTP {status}.")
    if code is None:
        return AuthenticationError("invalid_response", f"The {what} answered HTTP {status} without an error.")
    desc = _description(body) if isinstance(body, Mapping) else ""
    return AuthenticationError(code, f"The provider refused the {what}{desc}.")
