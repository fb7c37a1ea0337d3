"""``authenticate()``: the widget's sign-in in a notebook, the native flows elsewhere (docs/native.md)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from ._config import check_renew_before, check_timeout
from ._errors import ConfigError
from ._protocol import MODES, Mode
from ._providers import check_request
from ._signin import SignIn
from ._token import token_to_fill


def authenticate(
    config: Mapping[str, Any] | str | None = None,
    token: MutableMapping[str, Any] | None = None,
    *,
    timeout: float | None = None,
    renew_before: float = 60.0,
    mode: Mode = "popup",
    flow: str = "auto",
) -> SignIn:
    """Sign in to an OpenID Connect provider in the browser; fill ``token`` with the access token.

    ``config`` takes oidc-client-ts settings (``authority``, ``client_id``, ``scope``, …), or the
    name of a provider the server's administrator configured (``"corp"``, or ``{"provider": "corp",
    "scope": …}`` to add to it); omitted, the one provider the server has.
    ``token`` is filled in place with ``access_token``, ``expires_at``, ``scope`` and
    ``token_type`` once the user has signed in, without re-running the cell, and kept current:
    the page renews the access token ``renew_before`` seconds before it expires (at most half its
    lifetime). ``timeout`` bounds the sign-in, in seconds. ``mode="redirect"`` takes the whole tab
    to the provider and back instead of a popup. Returns a SignIn; ``await`` it to get the token in
    the same cell (ipykernel ≥ 7).

    Without a notebook frontend (a plain ``python`` script, terminal IPython), or with
    ``flow="device"``/``"loopback"``, it signs in without the widget (docs/native.md): the device
    authorization grant (a link and a code to open in any browser) or the system browser with a
    loopback redirect; it blocks until signed in and returns the SignIn, signed in (its ``widget``
    is None). ``timeout`` defaults to 120 s with the widget and 300 s without.
    """
    from ._native import has_frontend
    from ._native.config import check_flow

    check_flow(flow)
    if flow != "auto" or not has_frontend():
        return _sign_in_natively(config, token, flow, timeout, renew_before)

    from IPython.display import display

    checked = check_request(config)
    seconds = check_timeout(120.0 if timeout is None else timeout)
    lead = check_renew_before(renew_before)
    if mode not in MODES:
        raise ConfigError(None, f"mode must be 'popup' or 'redirect', got {mode!r}.")
    signin = SignIn.with_widget(checked, token_to_fill(token), seconds, lead, mode)
    display(signin.widget)  # type: ignore[no-untyped-call]
    signin.follow()  # after the display: the page starts drawing meanwhile
    return signin


def _sign_in_natively(
    config: Mapping[str, Any] | str | None,
    token: MutableMapping[str, Any] | None,
    flow: str,
    timeout: float | None,
    renew_before: float,
) -> SignIn:
    from ._native import signed_in

    return signed_in(
        config,  # type: ignore[arg-type]  # a name or None is refused there, saying why
        token,
        flow=flow,
        timeout=300.0 if timeout is None else timeout,
        renew_before=renew_before,
    )


def logout(signin: SignIn) -> None:
    """Sign out of ``signin`` (what authenticate() returned); see SignIn.logout."""
    signin.logout()
