"""The device grant's link as a keeper's ``say`` event carries it (RFC 8628 §3.3, docs/native.md):
checked here before the widget links anything, for the SignIn that consumes the event."""

from __future__ import annotations

from typing import Any

from .._protocol import Verification


def verification_of(value: Any) -> Verification | None:
    """The device link's fields of a ``say`` event, if it has them all with their types; else None
    (then the line is text only, and nothing in it becomes a link)."""
    if not isinstance(value, dict):
        return None
    strings = all(isinstance(value.get(k), str) for k in ("link", "code", "host"))
    warning = value.get("warning")
    if (
        not strings
        or not isinstance(value.get("complete"), bool)
        or not isinstance(warning, (str, type(None)))
    ):
        return None
    return {
        "link": value["link"],
        "code": value["code"],
        "host": value["host"],
        "complete": value["complete"],
        "warning": warning,
    }
