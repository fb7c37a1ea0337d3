"""Unit tests run in a plain pytest process, which has no notebook frontend: authenticate() there
would sign in natively (docs/native.md). Tests of the widget's path say they run in a kernel.

No test reaches a token keeper unless it starts one and names it: a socket path left in the
environment (a Jupyter server's, or another test's) would make every SignIn follow it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests/ itself, for the helpers the unit and end-to-end tests share (e2e._api: a local API server);
# `tests.e2e` would depend on the working directory, and on no installed package being named `tests`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fake_idp import FakeIdp
from keeper_proc import Running, keeper_process

import ipython_oidc_client._native as native
from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.wire import SOCKET_ENV


@pytest.fixture(autouse=True)
def in_a_kernel(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if "no_frontend" not in request.keywords:
        monkeypatch.setattr(native, "has_frontend", lambda: True)


@pytest.fixture(autouse=True)
def no_keeper_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOCKET_ENV, "")  # recorded, so that teardown restores whatever was there
    monkeypatch.delenv(SOCKET_ENV)


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    """A keeper process named in this process's environment, as a server's extension names it for its
    kernels (test_keeper_socket.py has its own, named nowhere)."""
    with keeper_process() as proc:
        monkeypatch.setenv(SOCKET_ENV, proc.path)
        yield proc


@pytest.fixture
def keeper() -> Iterator[Keeper]:
    """A keeper in this process; its scheduler thread is stopped afterwards."""
    k = Keeper()
    yield k
    with k.state.changed:
        k._stop.set()
        k.state.changed.notify_all()


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    """A provider on 127.0.0.1 (tests/unit/fake_idp.py), stopped afterwards."""
    with FakeIdp() as provider:
        yield provider
