"""Waiting for a ``SignIn``'s token: ``await signin`` in a notebook cell, which needs widget messages
while the cell runs, and the blocking wait of a sign-in without a frontend (docs/native.md)."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from ._errors import AuthenticationError

if TYPE_CHECKING:
    from ._page import Page
    from ._signin import SignIn

#: How long `await` waits for the page to answer before saying it cannot wait in this cell.
HANDSHAKE_SECONDS = 10.0
#: What the keeper may take beyond the user's timeout (discovery, the token request, the JWKS).
GRACE_SECONDS = 30.0
# Failures the user can still recover from in the widget while a cell waits.
_RECOVERABLE = {"popup_blocked", "popup_closed"}


def _ipykernel() -> tuple[int, ...]:
    """The release numbers: "6.31.0" → (6, 31, 0), "7.0.0rc1" → (7, 0, 0); none → (0,)."""
    import re
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        release = re.match(r"\d+(?:\.\d+)*", installed("ipykernel"))
    except PackageNotFoundError:
        release = None
    return tuple(int(n) for n in release.group().split(".")) if release else (0,)


async def until_token(signin: SignIn, page: Page | None) -> MutableMapping[str, Any]:
    """``await signin``: the token once it has arrived. A sign-in without a widget has finished by
    the time authenticate() returns it: its token at once."""
    if page is None:
        return signin.token
    version = _ipykernel()
    if version < (7,):
        raise AuthenticationError(
            "cannot_wait",
            f"This kernel (ipykernel {'.'.join(map(str, version))}) does not receive widget messages "
            "while a cell runs, so a cell cannot wait for sign-in. Drop the `await`: call "
            "authenticate() in one cell and use the token in the next.",
        )
    import asyncio  # here, not at import: the package's import stays light (a kernel has it already)

    loop = asyncio.get_running_loop()
    start = loop.time()
    while signin.received_at is None:
        waited = loop.time() - start
        if signin.error and signin.error.error not in _RECOVERABLE:
            raise signin.error
        if not page.widget.answered and waited > HANDSHAKE_SECONDS:
            raise AuthenticationError(
                "cannot_wait",
                f"The page did not answer within {HANDSHAKE_SECONDS:.0f} s: this frontend does not "
                "deliver widget messages while a cell runs. Drop the `await`: call authenticate() "
                "in one cell and use the token in the next.",
            )
        if waited > signin.timeout + HANDSHAKE_SECONDS:
            raise AuthenticationError(
                "timeout",
                f"Sign-in did not finish within {signin.timeout:.0f} s. If the widget says you are "
                "signed in, its messages are not reaching this kernel (seen after a kernel restart "
                "made outside JupyterLab): reload the page and run the cell again.",
            )
        await asyncio.sleep(0.05)  # a condition polled with a deadline
    return signin.token


def until_signed_in(signin: SignIn, timeout: float) -> None:
    """Block until the first token, the keeper's error, or the deadline. Each wait is short, so a
    KeyboardInterrupt is raised at once."""
    deadline = time.monotonic() + timeout + GRACE_SECONDS
    while not signin.first_token.is_set():
        if signin.ended.is_set():
            raise signin.error or AuthenticationError(
                "invalid_response", "The token keeper ended without an answer."
            )
        if time.monotonic() > deadline:
            raise AuthenticationError("timeout", f"Sign-in did not finish within {timeout:.0f} s.")
        signin.first_token.wait(0.2)
