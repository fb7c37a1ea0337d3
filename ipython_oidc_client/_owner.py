"""Which sign-in fills a token. A new sign-in with the same token (the cell run again, perhaps with
another config) ends the last one's, which would otherwise go on filling it from its keeper.

A ``Token`` keeps its sign-in itself (``Token._filler``), so the two go together and a dead sign-in
is never handed to a new object. A plain dict cannot carry an attribute: its sign-in is kept here,
together with the dict itself, so that while the entry lives no other object can be given its id;
the entry goes when that sign-in ends."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Protocol

from ._token import Token


class Filler(Protocol):
    def close(self) -> None: ...


_PLAIN: dict[int, tuple[MutableMapping[str, Any], Filler]] = {}


def filler_of(token: MutableMapping[str, Any]) -> Any:
    """The sign-in that fills ``token`` now, if any."""
    if isinstance(token, Token):
        return token._filler
    entry = _PLAIN.get(id(token))
    return entry[1] if entry is not None and entry[0] is token else None


def take(token: MutableMapping[str, Any], filler: Filler) -> None:
    """``filler`` fills ``token`` from now on; the sign-in that filled it before is closed."""
    previous = filler_of(token)
    if previous is not None and previous is not filler:
        previous.close()
    if isinstance(token, Token):
        token._filler = filler
    else:
        _PLAIN[id(token)] = (token, filler)


def release(token: MutableMapping[str, Any], filler: Filler) -> None:
    """``filler`` no longer fills ``token`` (it ended)."""
    if filler_of(token) is not filler:
        return
    if isinstance(token, Token):
        token._filler = None
    else:
        _PLAIN.pop(id(token), None)
