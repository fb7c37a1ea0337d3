"""Fixtures for the end-to-end tests: one provider and two JupyterLab servers for the session
(base URLs ``/`` and ``/user/alice/``), one fresh browser context per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from ._stack import CHROMIUM, CHROMIUM_ARGS, Lab, Provider, start_lab, start_provider
from .adversary import Adversary, start_adversary

CLIENT_ID = "notebooks"
OTHER_CLIENT_ID = "notebooks-b"
#: Clients of `short_provider`: 20-s access tokens, with and without refresh tokens.
SHORT_LIVED = "short-lived"
NO_REFRESH = "no-refresh"
BASE_URLS = ["/", "/user/alice/"]


@pytest.fixture(scope="session")
def labs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Lab]]:
    started: dict[str, Lab] = {}
    try:
        for base in BASE_URLS:
            started[base] = start_lab(tmp_path_factory.mktemp("lab"), base)
        yield started
    finally:
        for lab in started.values():
            lab.server.stop()


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory, labs: dict[str, Lab]) -> Iterator[Provider]:
    redirect_uris = [uri for lab in labs.values() for uri in (lab.redirect_uri(), f"{lab.url}redirect.html")]
    idp = start_provider(
        tmp_path_factory.mktemp("provider"),
        [
            {"client_id": CLIENT_ID, "redirect_uris": redirect_uris},
            {"client_id": OTHER_CLIENT_ID, "redirect_uris": redirect_uris},
        ],
        # No CORS at all: the keeper makes every request to the provider from the server; the page
        # only opens windows there (docs/keeper.md). A fetch from the page would fail, and a test with it.
        no_cors=True,
    )
    try:
        yield idp
    finally:
        idp.server.stop()


@pytest.fixture(scope="module")
def short_provider(tmp_path_factory: pytest.TempPathFactory, labs: dict[str, Lab]) -> Iterator[Provider]:
    """20-s access tokens, for the modules that watch renewal (test_renewal, test_keeper), each with
    its own: a module's sessions and refresh grants are then its own to count."""
    uris = [lab.redirect_uri() for lab in labs.values()]
    idp = start_provider(
        tmp_path_factory.mktemp("short-provider"),
        [
            {"client_id": SHORT_LIVED, "redirect_uris": uris},
            {"client_id": NO_REFRESH, "redirect_uris": uris, "grant_types": ["authorization_code"]},
        ],
        access_token_ttl=20,
        no_cors=True,
    )
    try:
        yield idp
    finally:
        idp.server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)."
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context()
    try:
        yield ctx
    finally:
        ctx.close()


# For the modules that meet the adversary (test_conformance, test_faults): one JupyterLab and one
# adversarial provider per module, stopped by pid whatever the tests did.
@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    started = start_lab(tmp_path_factory.mktemp("adversary-lab"), "/")
    try:
        yield started
    finally:
        started.server.stop()


@pytest.fixture(scope="module")
def adversary(tmp_path_factory: pytest.TempPathFactory, lab: Lab) -> Iterator[Adversary]:
    adv = start_adversary(tmp_path_factory.mktemp("adversary"), lab.url)
    try:
        yield adv
    finally:
        adv.server.stop()
        assert not adv.unclean_log_lines(), "the adversary logged more than methods, paths and statuses"
