"""One signed-in session in the keeper: its tokens (the refresh and ID token live only here), what
may be shown of it (``view``), what a kernel gets (``token``), and when it is renewed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .._codes import Code
from .._native.checks import TokenResponse
from .._native.common import Keys
from .._native.config import NativeConfig
from .._targets import Target
from .._text import shown

#: Statuses of a session as pages and kernels see them (docs/keeper.md).
SIGNED_IN, EXPIRED, SIGNED_OUT = "signed_in", "expired", "signed_out"
#: After a renewal that could not reach the provider, how soon to try again (while the token lives).
RETRY_SECONDS = 10.0
#: A renewal is never due sooner than this after the last one, whatever lifetime a provider gives.
MIN_RENEWAL_GAP = 1.0
#: Timers wait at most this long at once (then look again): no platform limit is ever met.
MAX_WAIT = 3600.0


def renewal_due(expires_at: float, issued: float, renew_before: float, now: float) -> float:
    """When to renew: ``renew_before`` seconds before expiry, at most half the lifetime before, and
    never sooner than MIN_RENEWAL_GAP from now."""
    lifetime = max(expires_at - issued, 0.0)
    if not renew_before >= 0:  # NaN or negative: at expiry (NaN would make every moment due)
        renew_before = 0.0
    return max(expires_at - min(renew_before, lifetime / 2), now + MIN_RENEWAL_GAP)


def display_name(claims: dict[str, Any] | None) -> str | None:
    for key in ("name", "preferred_username", "email", "sub"):
        value = (claims or {}).get(key)
        if isinstance(value, str) and value:
            return shown(value)
    return None


@dataclass
class Session:
    id: str
    key: str
    cfg: NativeConfig
    #: The checked config (for the page's label and the next fresh sign-in of the same key).
    config: dict[str, Any]
    metadata: dict[str, Any]
    keys: Keys
    label: str | None
    renew_before: float
    tokens: TokenResponse | None = None
    subject: str | None = None
    claims: dict[str, Any] | None = None
    #: time.time() when the current tokens were issued.
    issued: float = 0.0
    status: str = SIGNED_IN
    #: The last failure worth saying: (code, message); cleared by the next token.
    error: tuple[Code, str] | None = None
    version: int = 0
    #: When a renewal, retry or expiry is next due (time.time()); None: nothing scheduled.
    due: float | None = None
    #: What is due then: "renew" or "expire".
    due_kind: str = ""
    ended_at: float | None = None
    #: When the last token expired, once it has (the view still says when).
    expired_at: float | None = None
    #: A token for one API (token.for_resource): the session it derives from, and the API's URI.
    #: It shares that session's refresh token, and ends when that session is signed out.
    parent: str | None = None
    resource: str | None = None
    #: The API's target (``_targets.Target``): how its token is asked for again at each renewal.
    #: When it says ``exchange``, the token is exchanged again from the parent's access token (RFC
    #: 8693) instead of refreshed; None again once a renewal was refused.
    target: Target | None = None

    @property
    def live(self) -> bool:
        t = self.tokens
        return (
            self.status == SIGNED_IN
            and t is not None
            and (t.expires_at is None or t.expires_at > time.time())
        )

    @property
    def renewable(self) -> bool:
        return self.tokens is not None and (self.tokens.refresh_token is not None or self.exchanged)

    @property
    def exchanged(self) -> bool:
        """Renewed by a token exchange from its parent's access token, not by a refresh token."""
        return self.target is not None and self.target.exchange

    def token(self) -> dict[str, Any] | None:
        """The four fields a kernel may hold (docs/architecture.md), while the token lives."""
        return self.tokens.for_user() if self.live and self.tokens is not None else None

    def view(self) -> dict[str, Any]:
        """What a page or a kernel may see of the session: never a token."""
        t = self.tokens
        return {
            "id": self.id,
            "version": self.version,
            "status": self.status,
            "user": display_name(self.claims) if self.status != SIGNED_OUT else None,
            "expires_at": t.expires_at if t is not None else self.expired_at,
            "renewable": self.renewable and self.status == SIGNED_IN,
            "error": {"error": self.error[0], "message": self.error[1]} if self.error else None,
            "issuer": self.metadata.get("issuer"),
            "client_id": self.cfg.client_id,
            "label": self.label,
            "end_session": isinstance(self.metadata.get("end_session_endpoint"), str),
            "resource": self.resource,
        }

    def reusable(self, cfg: NativeConfig) -> bool:
        """Whether this live session may serve a new sign-in of the same key without a window: not
        when it asks the user to sign in again (prompt=login, Core §3.1.2.1), nor when its max_age
        has passed since the sign-in."""
        if not self.live:
            return False
        if cfg.prompt and "login" in cfg.prompt.split():
            return False
        if cfg.max_age is not None:
            auth_time = (self.claims or {}).get("auth_time")
            if not isinstance(auth_time, (int, float)) or auth_time + cfg.max_age < time.time():
                return False
        return True

    def schedule(self, now: float | None = None) -> None:
        """Set ``due`` for the next renewal, or for the expiry where there is no refresh token."""
        now = time.time() if now is None else now
        t = self.tokens
        if self.status != SIGNED_IN or t is None or t.expires_at is None:
            self.due, self.due_kind = None, ""
        elif t.refresh_token is None and not self.exchanged:
            self.due, self.due_kind = t.expires_at, "expire"
        else:
            self.due, self.due_kind = renewal_due(t.expires_at, self.issued, self.renew_before, now), "renew"
