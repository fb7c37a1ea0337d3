"""A Jupyter server with the extension enabled, under base URLs ``/`` and ``/user/alice/``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The fixtures and async-test hooks of pytest_jupyter.jupyter_server, scoped to this directory.
# (`pytest_plugins` would break `pytest tests`: pytest refuses it in a non-top-level conftest.)
from pytest_jupyter.jupyter_server import *  # noqa: F403

from ipython_oidc_client._keeper.wire import SOCKET_ENV

# The provider on 127.0.0.1 of the keeper's unit tests (tests/unit/fake_idp.py), for the routes' own.
sys.path.append(str(Path(__file__).resolve().parents[1] / "unit"))


@pytest.fixture(params=["/", "/user/alice/"])
def jp_base_url(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"ipython_oidc_client": True}}}


@pytest.fixture(autouse=True)
def keeper_named_for_this_test_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The extension names its keeper's socket in os.environ (for the kernels it starts): taken back
    after each test, so that no later test's SignIn tries to follow a keeper that is gone."""
    monkeypatch.setenv(SOCKET_ENV, "")  # recorded, so that teardown restores whatever was there
    monkeypatch.delenv(SOCKET_ENV)
    yield
