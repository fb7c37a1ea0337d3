"""Where the browser goes back to after a full-page sign-in: a path on this server, under its base
URL, and nothing else (no open redirect: RFC 9700 §4.11, RFC 6749 §10.15)."""

from __future__ import annotations

import re
from urllib.parse import unquote

MAX_LENGTH = 2048
# RFC 3986 §3.3 path characters (pchar and "/") and percent-escapes; no query, no fragment.
_PATH = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# How many rounds of percent-decoding are looked through: double- and triple-encoded tricks.
_DECODE_ROUNDS = 3


class ReturnPathError(ValueError):
    """The return path was refused; the message says why."""


def _check_form(path: str, base_url: str, what: str) -> None:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise ReturnPathError(f"{what} contains control characters")
    if "\\" in path:
        raise ReturnPathError(f"{what} contains a backslash")
    if "//" in path:
        raise ReturnPathError(f"{what} contains '//'")
    segments = path.split("/")
    if "." in segments or ".." in segments:
        raise ReturnPathError(f"{what} contains '.' or '..' segments")
    if not path.startswith(base_url):
        raise ReturnPathError(f"{what} is not under the server's base URL {base_url}")


def check_return_path(value: object, base_url: str) -> str:
    """Return ``value`` if it is a path on this server under ``base_url``; else raise."""
    if not isinstance(value, str) or not value:
        raise ReturnPathError("the return path must be a non-empty string")
    if len(value) > MAX_LENGTH:
        raise ReturnPathError(f"the return path is longer than {MAX_LENGTH} characters")
    if not _PATH.match(value):
        raise ReturnPathError(
            "the return path must be a plain path starting with '/' (no scheme, host, query or "
            "fragment; only URL path characters)"
        )
    if _ESCAPE.search(value):
        raise ReturnPathError("the return path contains a malformed percent-escape")
    _check_form(value, base_url, "the return path")
    decoded = value
    for _ in range(_DECODE_ROUNDS):
        try:
            decoded, previous = unquote(decoded, errors="strict"), decoded
        except UnicodeDecodeError:
            raise ReturnPathError("the return path decodes to invalid UTF-8") from None
        if decoded == previous:
            break
        _check_form(decoded, base_url, "the decoded return path")
    else:
        if unquote(decoded) != decoded:
            raise ReturnPathError("the return path is percent-encoded too many times")
    return value
