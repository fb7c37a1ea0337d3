"""Device grant polling (RFC 8628 §3.4-3.5) on a fake clock: the waits between requests, slow_down,
backoff after a failed connection, expiry, the timeout; the import stays light."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from ipython_oidc_client import AuthenticationError
from ipython_oidc_client._native._http import Unreachable
from ipython_oidc_client._native.checks import DeviceAuthorization
from ipython_oidc_client._native.device import poll

TOKENS = {"access_token": "at", "token_type": "Bearer"}


def codes(interval: float = 5.0, expires_in: float = 600.0) -> DeviceAuthorization:
    return DeviceAuthorization("dc", "ABCD-EFGH", "https://idp/device", None, expires_in, interval)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def run_poll(
    *bodies: Any, auth: DeviceAuthorization | None = None, timeout: float = 900.0
) -> tuple[Any, Clock]:
    clock = Clock()
    sequence = list(bodies)

    def request() -> tuple[int, Any]:
        body = sequence.pop(0)
        if isinstance(body, Exception):
            raise body
        return (200 if "access_token" in body else 400), body

    result = poll(request, auth or codes(), timeout, sleep=clock.sleep, clock=clock.time)
    return result, clock


PENDING = {"error": "authorization_pending"}
SLOW = {"error": "slow_down"}


def test_waits_the_interval_before_each_request() -> None:
    result, clock = run_poll(PENDING, PENDING, TOKENS, auth=codes(interval=2))
    assert result == TOKENS
    assert clock.waits == [2, 2, 2]


def test_slow_down_adds_5_seconds_for_this_and_every_later_request() -> None:
    _, clock = run_poll(PENDING, SLOW, PENDING, SLOW, PENDING, TOKENS)
    assert clock.waits == [5, 5, 10, 10, 15, 15]


def test_a_failed_connection_doubles_the_wait() -> None:
    _, clock = run_poll(Unreachable("ConnectionError"), Unreachable("ConnectionError"), PENDING, TOKENS)
    assert clock.waits == [5, 10, 20, 20]


@pytest.mark.parametrize("code", ["access_denied", "expired_token"])
def test_the_provider_ends_the_polling(code: str) -> None:
    with pytest.raises(AuthenticationError) as caught:
        run_poll(PENDING, {"error": code}, PENDING)
    assert caught.value.error == code


def test_a_code_past_its_lifetime_expires_here_too() -> None:
    with pytest.raises(AuthenticationError) as caught:
        run_poll(*[PENDING] * 10, auth=codes(interval=5, expires_in=20))
    assert caught.value.error == "expired_token"


def test_the_timeout_bounds_the_polling() -> None:
    with pytest.raises(AuthenticationError) as caught:
        run_poll(*[PENDING] * 10, timeout=12)
    assert caught.value.error == "timeout"


def test_a_keyboard_interrupt_passes_through() -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        poll(lambda: (400, PENDING), codes(), 60, sleep=interrupted)


def test_importing_the_package_imports_no_http_or_jose_library() -> None:
    code = (
        "import sys, ipython_oidc_client, ipython_oidc_client._native as n; "
        "heavy = ('requests', 'jwt', 'cryptography', 'asyncio', 'anywidget'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
