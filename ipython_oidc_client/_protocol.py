"""The page ↔ kernel protocol: the Python side of js/shared/messages.ts (docs/architecture.md). Defined once
here; tests/unit/test_protocol.py reads js/shared/messages.ts and fails when the two sides disagree or a
message has no handler."""

from __future__ import annotations

from typing import Literal, TypedDict, get_args

#: What the page sends the kernel (js/shared/messages.ts PageMessage).
PageMessageType = Literal["ready", "status", "session", "token", "error", "expired", "logged_out"]
#: What the kernel sends the page (js/shared/messages.ts KernelMessage).
KernelMessageType = Literal["start", "rejoin", "logout", "attached", "device", "step_up"]


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


#: The widget's states (js/shared/messages.ts Status), as SignIn.status reports them.
Status = Literal["idle", "signing_in", "needs_click", "signed_in", "renew_needed", "signed_out", "error"]
#: The page's own error codes (js/shared/messages.ts ErrorCode); a provider's codes (RFC 6749 §4.1.2.1,
#: e.g. access_denied) pass through under their own name.
PageErrorCode = Literal[
    "popup_blocked", "popup_closed", "timeout", "provider_unreachable", "discovery_invalid",
    "token_request_failed", "invalid_id_token", "invalid_response", "cancelled", "renewal_failed",
    "redirect_failed", "issuer_mismatch", "unknown_provider", "registry_unavailable", "no_server_extension",
    "widget_load_failed", "state_mismatch", "unknown_session", "keeper_unavailable", "config",
]  # fmt: skip
#: The kernel's own: from ``await`` and from using a Token.
KernelErrorCode = Literal["cannot_wait", "timeout", "not_signed_in", "token_expired"]
Mode = Literal["popup", "redirect"]

PAGE_MESSAGES: frozenset[str] = frozenset(get_args(PageMessageType))
KERNEL_MESSAGES: frozenset[str] = frozenset(get_args(KernelMessageType))
STATUSES: frozenset[str] = frozenset(get_args(Status))
ERROR_CODES: frozenset[str] = frozenset(get_args(PageErrorCode)) | frozenset(get_args(KernelErrorCode))
MODES: frozenset[str] = frozenset(get_args(Mode))
