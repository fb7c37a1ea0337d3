"""Fixtures of the image tests: a Docker engine (started here when none runs), the base image, the
two images built from a copy of the checkout, Chromium. The build times and image sizes are
printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# Chromium through Playwright, exactly as the end-to-end tests drive it.
from e2e.conftest import browser, context  # noqa: F401 - fixtures used by the tests here

from ._containers import copy_checkout
from ._engine import Engine, engine, ensure_base_image

ADMIN_IMAGE = "ipython-oidc-client-test:admin"
DEV_IMAGE = "ipython-oidc-client-test:dev"

# What the run measured, for the summary at its end.
MEASURED: dict[str, str] = {}


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with engine(tmp_path_factory.mktemp("docker")) as eng:
        # Pull only into an engine that is not this harness's own: ours has no registry to pull from.
        how = ensure_base_image(eng, pull=not eng.ours)
        MEASURED["base image debian:bookworm-slim"] = how
        MEASURED["docker engine"] = "started by the tests" if eng.daemon else "already running"
        yield eng
        for what, seconds in eng.timings.items():
            MEASURED[what] = f"{seconds:.0f} s"


@pytest.fixture(scope="session")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both images are built from one copy of the checkout, not from the working tree: no file of
    the tree is read while someone edits it, and what is built is what a clone holds."""
    return copy_checkout(tmp_path_factory.mktemp("context"))


def _build(eng: Engine, tag: str, source: Path, dockerfile: str) -> str:
    eng.build(tag, source, dockerfile)
    size = eng.image_size(tag)
    MEASURED[f"size {tag}"] = f"{size / 1e6:.0f} MB"
    return tag


@pytest.fixture(scope="session")
def admin_image(docker_engine: Engine, build_context: Path) -> str:
    return _build(docker_engine, ADMIN_IMAGE, build_context, "Dockerfile")


@pytest.fixture(scope="session")
def dev_image(docker_engine: Engine, build_context: Path) -> str:
    return _build(docker_engine, DEV_IMAGE, build_context, "Dockerfile.dev")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASURED:
        terminalreporter.section("docker images: measured")
        for what, value in MEASURED.items():
            terminalreporter.write_line(f"{what}: {value}")
