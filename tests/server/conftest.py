"""A Jupyter server with the extension enabled, under base URLs ``/`` and ``/user/alice/``."""

from __future__ import annotations

from typing import Any

import pytest

# The fixtures and async-test hooks of pytest_jupyter.jupyter_server, scoped to this directory.
# (`pytest_plugins` would break `pytest tests`: pytest refuses it in a non-top-level conftest.)
from pytest_jupyter.jupyter_server import *  # noqa: F403


@pytest.fixture(params=["/", "/user/alice/"])
def jp_base_url(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"ipython_oidc_client": True}}}
