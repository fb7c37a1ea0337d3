"""The page ↔ kernel protocol: the Python side of js/shared/messages.ts (docs/architecture.md). Defined once
here, one TypedDict per message; tests/unit/test_contract_messages.py reads js/shared/messages.ts and fails
when the two sides disagree on a message's name, its fields or their literal values, or a message has
no handler."""

from __future__ import annotations

from typing import Literal, TypedDict, Union, get_args

from ._codes import ERROR_CODES, AnyErrorCode, ErrorCode

__all__ = ["ERROR_CODES", "ErrorCode"]

#: The widget's states (js/shared/messages.ts Status), as SignIn.status reports them.
Status = Literal["idle", "signing_in", "needs_click", "signed_in", "renew_needed", "signed_out", "error"]
Mode = Literal["popup", "redirect"]


class Verification(TypedDict):
    """js/shared/messages.ts Verification: a ``device`` message's link and code as the widget shows them
    (RFC 8628 §3.3), checked and bounded by the keeper (_native/checks/device.py). Only ``link``
    becomes a link; ``host`` is said beside it; ``complete``: the link carries the code (check it)
    rather than asking for it (type it); ``warning`` names both hosts when the link's is not the
    issuer's."""

    link: str
    code: str
    host: str
    complete: bool
    warning: str | None


# Kernel -> page (js/shared/messages.ts KernelMessage).


class StartMessage(TypedDict):
    type: Literal["start"]


class RejoinMessage(TypedDict):
    type: Literal["rejoin"]


class LogoutMessage(TypedDict):
    type: Literal["logout"]


class AttachedMessage(TypedDict):
    type: Literal["attached"]
    via: Literal["keeper", "page"]


class StepUpMessage(TypedDict):
    type: Literal["step_up"]
    message: str


#: Where the kernel's own sign-in is, as a ``device`` message says it.
DeviceState = Literal["waiting", "signed_in", "error"]


class _DeviceMessage(TypedDict):
    type: Literal["device"]
    state: Literal["waiting", "signed_in", "error"]  # DeviceState: spelt out for the contract test
    message: str


class DeviceMessage(_DeviceMessage, total=False):
    verification: Verification


KernelMessage = Union[
    StartMessage, RejoinMessage, LogoutMessage, AttachedMessage, StepUpMessage, DeviceMessage
]

# Page -> kernel (js/shared/messages.ts PageMessage). The page is another program: a handler reads each
# field as untrusted (``str(...)``, ``isinstance``), the TypedDict says what it may expect.


class ReadyMessage(TypedDict):
    type: Literal["ready"]


class StatusMessage(TypedDict):
    type: Literal["status"]
    status: Status
    message: str


class SessionMessage(TypedDict):
    type: Literal["session"]
    id: str


class TokenMessage(TypedDict):
    """Exactly four fields, never a refresh token, an ID token, a code or a verifier."""

    type: Literal["token"]
    access_token: str
    expires_at: float | None
    scope: str | None
    token_type: str


class ErrorMessage(TypedDict):
    type: Literal["error"]
    #: One of ours, or a provider's passed through (js/shared/messages.ts `AnyErrorCode`).
    error: AnyErrorCode
    message: str


class ExpiredMessage(TypedDict):
    type: Literal["expired"]


class LoggedOutMessage(TypedDict):
    type: Literal["logged_out"]


PageMessage = Union[
    ReadyMessage, StatusMessage, SessionMessage, TokenMessage, ErrorMessage, ExpiredMessage, LoggedOutMessage
]


def tag(message: type, key: str = "type") -> str:
    """The one literal of a message's ``key`` (``Literal["x"]``: its annotation, a string under
    ``from __future__ import annotations``)."""
    hint = message.__annotations__[key]
    return str(getattr(hint, "__forward_arg__", hint))[len("Literal[") + 1 : -2]


PAGE_MESSAGES: frozenset[str] = frozenset(tag(m) for m in get_args(PageMessage))
KERNEL_MESSAGES: frozenset[str] = frozenset(tag(m) for m in get_args(KernelMessage))
STATUSES: frozenset[str] = frozenset(get_args(Status))
MODES: frozenset[str] = frozenset(get_args(Mode))
