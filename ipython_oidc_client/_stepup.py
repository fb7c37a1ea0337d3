"""When an API refuses the token (docs/stepup.md): at most one retry of a request made with
``auth=token``. ``invalid_token`` on a token still live here: one renewal by the keeper, then the
retry. ``insufficient_user_authentication`` (RFC 9470 §3) with ``acr_values`` and/or ``max_age``: the
widget asks the person to sign in again with them — one click, the reason shown — and the request is
retried with the new token. Never more than one retry; a second 401 is the caller's, as it came."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

#: RFC 7235 §2.1 auth-param: token "=" ( token / quoted-string ).
_PARAM = re.compile(r'([A-Za-z0-9!#$%&\'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)')
#: How long a request waits for the new token after a renewal the keeper makes.
RENEWAL_SECONDS = 30.0


def parse_challenge(header: str | None) -> dict[str, str] | None:
    """The Bearer challenge's parameters (RFC 6750 §3), or None when there is no Bearer challenge."""
    if not header:
        return None
    found = re.search(r"(?:^|,)\s*Bearer(?:\s+|$)(.*)", header, re.IGNORECASE | re.DOTALL)
    if not found:
        return None
    params: dict[str, str] = {}
    for name, value in _PARAM.findall(found.group(1)):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params.setdefault(name.lower(), value[:2048])
    return params


def step_up_params(challenge: dict[str, str]) -> dict[str, Any]:
    """What to sign in again with (RFC 9470 §3): ``acr_values`` as given, ``max_age`` as a number."""
    wanted: dict[str, Any] = {}
    acr = challenge.get("acr_values", "").strip()
    if acr:
        wanted["acr_values"] = acr
    age = challenge.get("max_age", "").strip()
    if age.isdigit():
        wanted["max_age"] = int(age)
    return wanted


def waited(
    token: MutableMapping[str, Any], old: str, seconds: float, failed: threading.Event | None = None
) -> bool:
    """Whether ``token`` got another access token than ``old`` within ``seconds`` (False at once when
    ``failed`` is set: the sign-in that would bring it ended without one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (failed is not None and failed.is_set()):
        current = token.get("access_token")
        if current and current != old:
            return True
        time.sleep(0.05)  # the keeper's follower fills the token from its own thread: a condition polled
    return False


def recover(token: MutableMapping[str, Any], status: int, header: str | None, old: str) -> bool:
    """Whether the request refused with ``status`` and ``header`` is worth one retry: a new token is
    then in ``token``. Raises nothing for a refusal it cannot help with: that answer is the caller's."""
    if status != 401:
        return False
    challenge = parse_challenge(header) or {}
    error = challenge.get("error")
    renew = getattr(token, "_renew", None)
    step_up = getattr(token, "_step_up", None)
    if error == "invalid_token" and renew is not None:
        return bool(renew()) and waited(token, old, RENEWAL_SECONDS)
    if error == "insufficient_user_authentication" and step_up is not None:
        wanted = step_up_params(challenge)
        if not wanted:
            return False  # nothing to ask for that would change the answer
        reason = challenge.get("error_description", "")
        return bool(step_up(wanted, reason))
    return False


def requests_hook(token: Any) -> Callable[..., Any]:
    """A requests response hook: one retry after ``recover``; the first answer stays in history."""

    def hook(response: Any, **kwargs: Any) -> Any:
        request = response.request
        if getattr(request, "_oidc_retried", False):
            return response
        old = (request.headers.get("Authorization") or "").partition(" ")[2]
        if not recover(token, response.status_code, response.headers.get("WWW-Authenticate"), old):
            return response
        response.content  # noqa: B018 - read and release the connection before the retry
        response.close()
        retry = request.copy()
        retry._oidc_retried = True
        retry.headers.update(token.headers)
        answer = response.connection.send(retry, **kwargs)
        answer.history.append(response)
        answer.request = retry
        return answer

    return hook


def registered(token: MutableMapping[str, Any], step_up: Callable[[dict[str, Any], str], bool]) -> None:
    """``step_up`` answers the token's step-up challenges: kept on the Token itself (a plain dict has
    no requests hook to need it), so it goes with the token and never outlives it."""
    if hasattr(token, "_step_up"):
        token._step_up = step_up


def renewer(token: MutableMapping[str, Any], renew: Callable[[], bool]) -> None:
    """``renew`` renews the token now (an API said ``invalid_token``): kept on the Token, likewise."""
    if hasattr(token, "_renew"):
        token._renew = renew


def httpx_auth(token: Any) -> Any:
    """An ``httpx.Auth`` that sends the current token and, like the requests hook, retries once after
    ``recover`` (httpx's own retry point: a second ``yield`` of the request from ``auth_flow``)."""
    import httpx

    class TokenAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Any:
            request.headers.update(token.headers)
            response = yield request
            old = request.headers["Authorization"].partition(" ")[2]
            if recover(token, response.status_code, response.headers.get("WWW-Authenticate"), old):
                request.headers.update(token.headers)
                yield request

    return TokenAuth()
