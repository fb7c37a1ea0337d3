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
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from .._config import check_renew_before, check_timeout
from .._token import token_to_fill
from .config import check_flow, native_config

if TYPE_CHECKING:
    from .._keeper.wire import NativeRequest
    from .._signin import SignIn

__all__ = ["has_frontend", "sign_in", "signed_in", "start"]


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
    return signed_in(config, token, flow=flow, timeout=timeout, renew=renew, renew_before=renew_before).token


def signed_in(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any] | None,
    *,
    flow: str,
    timeout: float,
    renew: bool = True,
    renew_before: float = 60.0,
) -> SignIn:
    """``sign_in()``, returning the SignIn (what authenticate() returns without a frontend)."""
    from .._signin import SignIn
    from .._waiting import until_signed_in

    token = token_to_fill(token)
    request = _request(config, flow, timeout, renew, renew_before)
    signin = SignIn(token, request["timeout"], mode=flow, flow=flow)
    try:
        signin.keep_privately(request)
        until_signed_in(signin, request["timeout"])
    except KeyboardInterrupt:
        signin.close()
        print(
            "Sign-in cancelled: nothing was kept. Run authenticate() again to sign in.",
            file=sys.stderr,
            flush=True,
        )
        raise
    except BaseException:
        signin.close()
        raise
    if not signin.renewing():  # no renewal (renew=False, or no refresh token): nothing to keep
        signin.close()
    from .stepup import answer_challenges

    answer_challenges(config, token, flow=flow, timeout=timeout, renew=renew, renew_before=renew_before)
    return signin


def start(
    signin: SignIn,
    config: Mapping[str, Any],
    flow: str,
    timeout: float,
    renew: bool,
    renew_before: float,
) -> None:
    """Have ``signin`` sign in as ``sign_in()`` does, without blocking: for a notebook whose page
    cannot (no server extension, docs/native.md). Its widget shows the keeper's lines and outcome."""
    signin.keep_privately(_request(config, flow, timeout, renew, renew_before))


def _request(
    config: Mapping[str, Any], flow: str, timeout: float, renew: bool, renew_before: float
) -> NativeRequest:
    """The keeper's ``native`` request, checked here for an early ConfigError (the keeper checks the
    config again and uses it)."""
    native_config(config)
    return {
        "config": dict(config),
        "flow": check_flow(flow),
        "timeout": check_timeout(timeout),
        "renew": bool(renew),
        "renew_before": check_renew_before(renew_before),
    }
