"""Unit tests run in a plain pytest process, which has no notebook frontend: authenticate() there
would sign in natively (docs/native.md). Tests of the widget's path say they run in a kernel."""

from __future__ import annotations

import pytest

import ipython_oidc_client._native as native


@pytest.fixture(autouse=True)
def in_a_kernel(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if "no_frontend" not in request.keywords:
        monkeypatch.setattr(native, "has_frontend", lambda: True)
