"""The device authorization grant's answers (RFC 8628 §3.2, §3.5): the device code response and each
poll. Everything in the response that a person sees (the link, its host, the user code) or that sets a
timer (``interval``, ``expires_in``) is checked and bounded here, before it leaves the keeper."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..._errors import AuthenticationError
from ..._protocol import Verification
from ..._text import shown
from .discovery import is_loopback
from .errors import _description, error_code

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

#: RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
DEFAULT_INTERVAL = 5.0
#: The shortest wait between polls, whatever the provider says. RFC 8628 §3.2 sets no floor, but a
#: provider's ``interval: 0.001`` made 1455 polls in 3 s: below 1 s a poll loop is a flood.
MIN_INTERVAL = 1.0
#: The longest a device code is waited for (RFC 8628 §3.2 ``expires_in``; providers give 5 to 30
#: minutes). A longer one is taken as this, and so is an ``interval`` beyond it: a timer never gets a
#: number it cannot hold (``10**400`` raised OverflowError).
MAX_EXPIRES_IN = 3600.0
#: RFC 8628 §3.5: on slow_down "the interval MUST be increased by 5 seconds for this and all
#: subsequent requests".
SLOW_DOWN_STEP = 5.0
#: RFC 8628 §3.5 asks for exponential backoff when the token endpoint cannot be reached; capped.
MAX_BACKOFF_INTERVAL = 60.0
#: The longest user code shown. RFC 8628 §6.1 asks for short codes a person can type (8 characters
#: in its example); a longer one is cut with "…".
USER_CODE_LIMIT = 64
#: The longest verification URI accepted: a link a person opens, not a document.
URI_LIMIT = 2048
# RFC 3986 §2: the characters a URI is written with. Anything else (spaces, controls, a backslash,
# non-ASCII, bidi overrides) is refused rather than cleaned: cleaning a link changes where it goes,
# and urllib and the browser's URL parser disagree on such links (a backslash ends the host for
# the browser, not for urllib), so the host shown could differ from the host opened.
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class DeviceAuthorization:
    """RFC 8628 §3.2: what the device authorization endpoint answered, checked and bounded.
    ``device_code`` stays in the process that polls; the user sees the link, its ``host``, the
    ``user_code`` (cleaned and cut) and, if the link is on another host than the issuer's, a
    ``warning`` that names both."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float
    host: str = ""
    #: Said when the link is on another host than the issuer's (``other_host``); None if the same.
    warning: str | None = None

    @property
    def link(self) -> str:
        """The one link shown: the complete URI, which carries the code, else the plain one."""
        return self.verification_uri_complete or self.verification_uri

    def prompt(self) -> str:
        """What the user is told: the link and its host, and the code to check (RFC 8628 §3.3.1: a
        complete link carries the code, shown anyway so that it can be compared) or to type."""
        what = "check that it shows the code" if self.verification_uri_complete else "enter the code"
        text = (
            f"To sign in, open {self.link} in a browser (it is on {self.host}) and {what} {self.user_code}."
        )
        return text if self.warning is None else f"{text}\n{self.warning}"

    def verification(self) -> Verification:
        """The same, as fields, for the widget: only ``link`` becomes a link there."""
        return {
            "link": self.link,
            "code": self.user_code,
            "host": self.host,
            "complete": self.verification_uri_complete is not None,
            "warning": self.warning,
        }


def _invalid(message: str) -> AuthenticationError:
    return AuthenticationError("invalid_response", message)


def _host(parts: SplitResult) -> str:
    """The host a browser opens for ``parts``, as it writes it: an IPv6 address in brackets, a port
    only when it is not the scheme's default (the WHATWG URL's ``host``, which the widget compares)."""
    name = parts.hostname or ""
    name = f"[{name}]" if ":" in name else name
    port = parts.port
    return name if port is None or port == _DEFAULT_PORTS.get(parts.scheme) else f"{name}:{port}"


def _verification_uri(field: str, value: str) -> SplitResult:
    """Check a verification URI (RFC 8628 §3.2) and return its parts: https (http on loopback only), a
    host, no user name (``https://login.example@evil.example/`` goes to evil.example), written with
    URI characters only, not longer than URI_LIMIT. Refused otherwise: a person would open it."""
    if len(value) > URI_LIMIT or not _URI_CHARACTERS.fullmatch(value):
        raise _invalid(
            f'The provider gives "{field}" as "{shown(value)}", which is not a plain link (at most '
            f"{URI_LIMIT} characters of a URI, RFC 3986 §2). Ask the provider's administrator to fix it."
        )
    try:
        parts = urlsplit(value)
        _host(parts)  # its port, read here: a port that is not a number raises ValueError
    except ValueError:  # "https://[", a port that is not a number
        raise _invalid(f'The provider gives "{field}" as "{shown(value)}", which is not a URL.') from None
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise _invalid(
            f'The provider gives "{field}" as "{shown(value)}": the user would sign in over plain http. '
            "Ask the provider's administrator to fix it."
        )
    if parts.scheme not in ("https", "http"):
        raise _invalid(
            f'The provider gives "{field}" as "{shown(value)}", which is not an https link. '
            "Ask the provider's administrator to fix it."
        )
    if not parts.hostname or parts.username is not None or "@" in parts.netloc:
        raise _invalid(
            f'The provider gives "{field}" as "{shown(value)}", which names no host, or a user name '
            "before it that would hide where it goes. Ask the provider's administrator to fix it."
        )
    return parts


def other_host(link: SplitResult, issuer: str) -> str | None:
    """The warning for a link on another host name than the issuer's, naming both (the port aside:
    a provider's pages on another port are its own); None when it is the same. Not a refusal:
    RFC 8628 §3.2 puts no rule on the verification URI's host, and providers do use another
    (Google's issuer is accounts.google.com, its device page www.google.com/device; Microsoft's
    login.microsoftonline.com, its page microsoft.com/devicelogin). The person decides, knowing both."""
    try:
        own = urlsplit(issuer)
        host, issuer_host = _host(link), _host(own)
    except ValueError:  # discovery checked the issuer already: no reason to fail here
        return None
    if (link.hostname or "").rstrip(".") == (own.hostname or "").rstrip("."):
        return None
    return (
        f"Warning: {host} is not the provider's own host ({issuer_host}). Some providers put this "
        f"page on another host; open it only if {host} is your provider's."
    )


def _seconds(value: Any) -> float | None:
    """A JSON number of seconds as a finite float, or None. A huge integer is held to a big finite
    one first (``float(10**400)`` raises OverflowError); NaN and infinities, which JSON has no
    spelling for but Python's json reads, are None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        value = max(min(value, 10**9), -(10**9))
    seconds = float(value)
    return seconds if math.isfinite(seconds) else None


def parse_device_authorization(status: int, body: Any, issuer: str) -> DeviceAuthorization:
    """Check the device authorization response (RFC 8628 §3.2), or raise with the provider's error
    (§3.1 errors are RFC 6749 §5.2 errors, e.g. ``unauthorized_client``). ``issuer``: the provider's
    checked issuer, whose host the link's is compared with."""
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
        raise _invalid(f"The device authorization endpoint answered HTTP {status} without an error.")
    if body.get("verification_uri") is None and isinstance(body.get("verification_url"), str):
        # Google's device endpoint names it verification_url (its documentation says so); the same
        # field under another name, checked the same way.
        body = {**body, "verification_uri": body["verification_url"]}
    for field in ("device_code", "user_code", "verification_uri"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise _invalid(f'The device authorization response has no "{field}" (RFC 8628 §3.2).')
    complete = body.get("verification_uri_complete")
    if complete is not None and (not isinstance(complete, str) or not complete):
        complete = None  # optional (§3.2): without it, the plain link and the code to type
    # Both are checked; the one shown (the complete one where given) is the one whose host is said.
    shown_link = _verification_uri("verification_uri", body["verification_uri"])
    if complete is not None:
        shown_link = _verification_uri("verification_uri_complete", complete)
    # The code reaches a person: printable characters only (no bidi override makes it read as
    # another), cut to a length a person types (§6.1).
    user_code = shown(body["user_code"], USER_CODE_LIMIT)
    if not user_code.strip():
        raise _invalid('The device authorization response has no printable "user_code" (RFC 8628 §3.2).')
    expires_in = _seconds(body.get("expires_in"))
    if expires_in is None or expires_in <= 0:
        raise _invalid('The device authorization response has no valid "expires_in" (RFC 8628 §3.2).')
    interval = _seconds(body.get("interval"))
    if interval is None or interval <= 0:
        interval = DEFAULT_INTERVAL  # absent or unusable: the default §3.2 prescribes
    return DeviceAuthorization(
        device_code=body["device_code"],
        user_code=user_code,
        verification_uri=body["verification_uri"],
        verification_uri_complete=complete,
        expires_in=min(expires_in, MAX_EXPIRES_IN),
        interval=min(max(interval, MIN_INTERVAL), MAX_EXPIRES_IN),
        host=_host(shown_link),
        warning=other_host(shown_link, issuer),
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
    """RFC 8628 §3.5: after a connection failure, wait longer (exponential backoff), capped; never
    shorter than the interval the provider asked for."""
    return max(interval, min(interval * 2, MAX_BACKOFF_INTERVAL))
