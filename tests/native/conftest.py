"""Fixtures of the tests without a notebook frontend: oidc-provider with the device grant and a
native client (loopback redirect URIs, any port), Chromium as the user's browser. Both come from the
end-to-end tests' own code, imported, not copied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e._stack import Provider, start_provider

# Chromium through Playwright, exactly as the end-to-end tests launch it.
from e2e.conftest import browser, context  # noqa: F401 - fixtures used by the tests here

NATIVE_CLIENT = "native-app"
#: A client allowed the device grant only (no redirect), for the denial and expiry tests.
DEVICE_CLIENT = "device-only"
#: A provider whose device codes live 3 s, for the expiry test.
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _clients() -> list[dict[str, object]]:
    return [
        {
            "client_id": NATIVE_CLIENT,
            "application_type": "native",
            # RFC 8252 §7.3: registered without a port; oidc-provider then accepts any port.
            "redirect_uris": ["http://127.0.0.1/"],
            "grant_types": [DEVICE_CODE_GRANT, "authorization_code", "refresh_token"],
        }
    ]


def _running_provider(factory: pytest.TempPathFactory, name: str, **options: Any) -> Iterator[Provider]:
    """oidc-provider with the device grant and the native client, stopped by pid at the end. A 1 s
    polling interval keeps each device sign-in short; the 5 s default is unit-tested."""
    idp = start_provider(factory.mktemp(name), _clients(), device_flow=True, device_interval=1, **options)
    try:
        yield idp
    finally:
        idp.server.stop()


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    yield from _running_provider(tmp_path_factory, "provider")


@pytest.fixture(scope="session")
def short_lived_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Device codes that expire after 3 s (oidc-provider's ttl.DeviceCode)."""
    yield from _running_provider(tmp_path_factory, "provider-short", device_code_ttl=3)


@pytest.fixture(scope="session")
def short_token_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Access tokens that live 8 s, so that the helper renews one within a test."""
    yield from _running_provider(tmp_path_factory, "provider-renewal", access_token_ttl=8)


@pytest.fixture(scope="session")
def twenty_second_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Access tokens that live 20 s: a long job outlives several of them."""
    yield from _running_provider(tmp_path_factory, "provider-20s", access_token_ttl=20)


@pytest.fixture
def scripts() -> Iterator[list[Any]]:
    """The user processes a test starts (``_drive.Script``), stopped by pid at its end, passed or not."""
    started: list[Any] = []
    try:
        yield started
    finally:
        for script in started:
            script.stop()
