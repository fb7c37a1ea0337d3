"""Sign in where no notebook frontend can show the widget: a plain ``python`` script, terminal
IPython (docs/native.md). ``sign_in()`` blocks until signed in, with the device authorization grant
(RFC 8628) or the system browser and a loopback redirect (RFC 8252).

The flow runs in a token keeper of this process's own (``ipython_oidc_client._keeper --stdio``, the
same program a Jupyter server runs for its pages), which keeps the refresh token and renews the
access token; this process, which runs the user's code, gets the access token only. Nothing heavy is
imported here: urllib and PyJWT are imported by the keeper alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from .._config import check_renew_before, check_timeout
from .._errors import AuthenticationError
from .._token import token_to_fill
from .config import check_flow, native_config

if TYPE_CHECKING:
    from .._keeper.wire import NativeRequest
    from ._session import OnSay, Session

__all__ = ["forget", "has_frontend", "session_of", "sign_in", "start_in_background"]

#: The private keeper of each token being kept current, so that it lives as long as the token's
#: owner wants it (a new sign_in() with the same token replaces it).
_SESSIONS: dict[int, Session] = {}


def session_of(token: MutableMapping[str, Any]) -> Session | None:
    """The keeper session that keeps ``token`` current, if any."""
    return _SESSIONS.get(id(token))


def forget(token: MutableMapping[str, Any], revoke: bool = False) -> None:
    """Stop the keeper that keeps ``token`` current (it takes the refresh token with it); with
    ``revoke``, it first asks the provider to revoke the refresh token (RFC 7009)."""
    session = _SESSIONS.pop(id(token), None)
    if session is not None:
        session.stop(revoke=revoke)


def has_frontend() -> bool:
    """Whether code runs in a Jupyter kernel, whose frontend can show the widget. False in a plain
    ``python`` process and in terminal IPython."""
    if "IPython" not in sys.modules:
        return False
    from IPython.core.getipython import get_ipython

    shell = get_ipython()  # type: ignore[no-untyped-call,unused-ignore]  # typed from IPython 8.x
    return shell is not None and type(shell).__module__.startswith("ipykernel")


def sign_in(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any] | None = None,
    *,
    flow: str = "auto",
    timeout: float = 300.0,
    renew: bool = True,
    renew_before: float = 60.0,
) -> MutableMapping[str, Any]:
    """Sign in without a notebook frontend and return ``token`` (a new ``Token`` if omitted) filled
    with ``access_token``, ``expires_at``, ``scope`` and ``token_type``.

    ``flow``: ``"device"`` prints a link and a code to open in any browser (RFC 8628);
    ``"loopback"`` opens the system browser (and prints the link) and listens on
    ``http://127.0.0.1:<free port>/`` for the answer (RFC 8252); ``"auto"``: the device grant when
    the provider offers it, else loopback. Blocks until signed in, for at most ``timeout`` seconds;
    Ctrl-C (or a kernel interrupt) cancels. With ``renew``, a keeper process keeps the refresh token
    and renews the access token in ``token`` ``renew_before`` seconds before it expires, for as long
    as this process lives. Raises AuthenticationError (``.error``: ``access_denied``,
    ``expired_token``, ``timeout``, ``invalid_id_token``, …) or ConfigError.
    """
    token = token_to_fill(token)
    session, seconds = _start(config, token, flow, timeout, bool(renew), renew_before)
    try:
        session.wait_signed_in(seconds)
    except KeyboardInterrupt:
        forget(token)
        print(
            "Sign-in cancelled: nothing was kept. Run authenticate() again to sign in.",
            file=sys.stderr,
            flush=True,
        )
        raise
    except BaseException:
        forget(token)
        raise
    if not session.alive():  # no renewal (renew=False, or no refresh token): nothing to keep
        forget(token)
    from .stepup import answer_challenges

    answer_challenges(config, token, flow=flow, timeout=timeout, renew=renew, renew_before=renew_before)
    return token


def _start(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any],
    flow: str,
    timeout: float,
    renew: bool,
    renew_before: float,
    **callbacks: Any,
) -> tuple[Session, float]:
    """Check the arguments (the config here for an early ConfigError; the keeper checks it again and
    uses it), start the keeper, and return it with the checked timeout."""
    from ._session import Session

    native_config(config)
    seconds = check_timeout(timeout)
    request: NativeRequest = {
        "config": dict(config),
        "flow": check_flow(flow),
        "timeout": seconds,
        "renew": renew,
        "renew_before": check_renew_before(renew_before),
    }
    forget(token)  # a new sign-in with the same token replaces the keeper that kept it
    session = Session(token, **callbacks)
    session.start(request)
    _SESSIONS[id(token)] = session
    return session, seconds


def start_in_background(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any],
    *,
    flow: str,
    timeout: float,
    renew_before: float,
    on_say: OnSay,
    on_token: Callable[[], None],
    on_error: Callable[[AuthenticationError], None],
) -> None:
    """Sign in as ``sign_in()`` does, without blocking: for a notebook whose page cannot (no server
    extension, docs/native.md). What the keeper says and its outcome go to the callbacks."""
    _start(
        config, token, flow, timeout, True, renew_before, on_say=on_say, on_token=on_token, on_error=on_error
    )
