"""The keeper's socket protocol: JSON lines over a Unix stream socket (docs/keeper.md).

A client writes one request per line, ``{"id": n, "op": name, ...}``; the keeper answers each with
``{"id": n, "ok": true, ...}`` or ``{"id": n, "ok": false, "error": code, "message": text}``. After
the answer to ``follow`` or ``native`` the keeper keeps writing event lines, ``{"event": name, ...}``,
on that connection until it is closed. Nothing written here ever holds a refresh token, an ID token,
a code or a PKCE verifier: sessions leave as views (``Session.view``), tokens as the four fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Union, get_args

from .._codes import Code
from .._protocol import Verification, tag

#: What a client may ask (server.py dispatch). ``follow`` and ``native`` stream events afterwards.
Op = Literal[
    "ping", "begin", "redeem", "session", "instance", "wait", "renew", "logout", "token", "resource",
    "follow", "native",
]  # fmt: skip


class NativeRequest(TypedDict):
    """The fields of a ``native`` request (native.py ``sign_in_natively`` reads them; docs/native.md)."""

    config: dict[str, Any]
    flow: str
    timeout: float
    renew: bool
    renew_before: float


class ErrorReply(TypedDict):
    """The keeper's refusal of request ``id`` (server.py dispatch)."""

    id: Any
    ok: Literal[False]
    error: Code
    message: str


# The events of a streaming connection (tests/unit/test_contract_keeper.py holds their writers and
# readers to these fields).


class SessionEvent(TypedDict):
    """A followed session changed (state.py ``event``): its view, and its access token's four fields."""

    event: Literal["session"]
    instance: str
    session: dict[str, Any] | None
    token: dict[str, Any] | None


class _SayEvent(TypedDict):
    event: Literal["say"]
    text: str


class SayEvent(_SayEvent, total=False):
    """A native sign-in's line for the person (native.py), with the device grant's link and code."""

    verification: Verification


class FailedEvent(TypedDict):
    """A native sign-in ended without a token (native.py)."""

    event: Literal["failed"]
    error: Code
    message: str


Event = Union[SessionEvent, SayEvent, FailedEvent]

OPS: frozenset[str] = frozenset(get_args(Op))
EVENTS: frozenset[str] = frozenset(tag(e, "event") for e in get_args(Event))

#: A request line longer than this is refused: a config and an authorization response fit many times.
MAX_LINE = 256 * 1024
#: The environment variable that tells a kernel where its server's keeper listens.
SOCKET_ENV = "IPYTHON_OIDC_CLIENT_KEEPER"


class KeeperError(Exception):
    """A refused request: ``error`` is the code a user sees (docs/keeper.md), ``message`` what to do."""

    def __init__(self, error: Code, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message


def encode(message: Mapping[str, Any]) -> bytes:
    return (json.dumps(message, separators=(",", ":")) + "\n").encode()


def decode(line: bytes) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise KeeperError("invalid_request", f"A request line is longer than {MAX_LINE} bytes.")
    try:
        message = json.loads(line)
    except ValueError:
        raise KeeperError("invalid_request", "A request line is not JSON.") from None
    if not isinstance(message, dict):
        raise KeeperError("invalid_request", "A request line is not a JSON object.")
    return message
