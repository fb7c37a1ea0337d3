"""Fixtures of the image tests: a Docker engine (started here when none runs), the base image, the
two images built from a copy of the checkout, Chromium. The build times and image sizes are
printed at the end of the run.

The engine and the images are made in the background from the start of the session, while the
tests that need no image (the wheel's) run: most of a build waits on the network, and the run takes
minutes less that way. The admin image and the dev image are built side by side once the build
stage, whose first layer they share, is there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from pathlib import Path

import pytest

# Chromium through Playwright, exactly as the end-to-end tests drive it.
from e2e.conftest import browser, context  # noqa: F401 - fixtures used by the tests here

from ._containers import copy_checkout
from ._engine import Engine, engine, ensure_base_image

ADMIN_IMAGE = "ipython-oidc-client-test:admin"
DEV_IMAGE = "ipython-oidc-client-test:dev"
IMAGE_FIXTURES = {"docker_engine", "admin_image", "dev_image"}

# What the run measured, for the summary at its end.
MEASURED: dict[str, str] = {}


class Images:
    """The engine and the images the collected tests use, each a Future; a failure is raised by
    the test that asks for it."""

    def __init__(self, log_dir: Path, context_dir: Path, wanted: set[str]) -> None:
        self._t0 = time.monotonic()
        self._stack = ExitStack()
        self._context = context_dir
        # Each task waits only on tasks submitted before it, and the pool starts them in order:
        # two workers cannot deadlock, and admin and dev run side by side after the build stage.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docker")
        self.engine: Future[Engine] = self._pool.submit(self._start, log_dir)
        self._stage: Future[str] | None = None
        if "admin_image" in wanted:
            self._stage = self._pool.submit(self._build_stage)
        self.builds: dict[str, Future[str]] = {}
        if "admin_image" in wanted:
            self.builds["admin_image"] = self._pool.submit(self._image, ADMIN_IMAGE, "Dockerfile")
        if "dev_image" in wanted:
            self.builds["dev_image"] = self._pool.submit(self._image, DEV_IMAGE, "Dockerfile.dev")

    def _start(self, log_dir: Path) -> Engine:
        eng = self._stack.enter_context(engine(log_dir))
        MEASURED["docker engine"] = eng.origin
        if eng.ours:
            # Containers of builds that a killed run left stopped: nothing else uses this engine.
            eng.docker("container", "prune", "--force", check=False)
        # Pull only into an engine that is not this harness's own: ours has no registry to pull from.
        MEASURED["base image debian:bookworm-slim"] = ensure_base_image(eng, pull=not eng.ours)
        return eng

    def _build_stage(self) -> str:
        # Tagged, so that pruning old images at the end keeps its layers (npm ci, the wheel) in the
        # cache of the next run.
        tag = f"{ADMIN_IMAGE}-build-stage"
        self.engine.result().build(tag, self._context, "Dockerfile", target="build")
        return tag

    def _image(self, tag: str, dockerfile: str) -> str:
        if self._stage:
            self._stage.result()  # its first layer is also Dockerfile.dev's: build it once
        eng = self.engine.result()
        eng.build(tag, self._context, dockerfile)
        MEASURED[f"size {tag}"] = f"{eng.image_size(tag) / 1e6:.0f} MB"
        MEASURED[f"{tag} ready"] = f"{time.monotonic() - self._t0:.0f} s after the session started"
        return tag

    def when_all_built(self, fixture: str) -> str:
        """A browser test beside a running build misses its deadlines on a 2-core machine: wait for
        every build, then answer with this fixture's image (or its build's error)."""
        wait(self.builds.values())
        return self.builds[fixture].result()

    def close(self) -> None:
        """Let a running build finish (stopping the engine under it would leave its container
        behind), skip the ones not started, then stop the engine, by pid."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        try:
            if self.engine.done() and not self.engine.exception():
                eng = self.engine.result()
                for what, seconds in eng.timings.items():
                    MEASURED[what] = f"{seconds:.0f} s"
                # The images that earlier builds' tags left behind: the data root is kept between
                # runs (the build cache) and would otherwise grow with every change.
                eng.docker("image", "prune", "--force", check=False, timeout=300)
        finally:
            self._stack.close()


def _fixtures(item: pytest.Item) -> set[str]:
    return IMAGE_FIXTURES & set(getattr(item, "fixturenames", ()))


def _needs_images(item: pytest.Item) -> bool:
    return bool(_fixtures(item))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The tests that need no image first: they run while the images are being built.
    items.sort(key=_needs_images)


@pytest.fixture(scope="session", autouse=True)
def _images(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Images | None]:
    wanted = set().union(*(_fixtures(item) for item in request.session.items))
    if not wanted:
        yield None  # only the wheel's test: no engine, no build
        return
    # Both images are built from one copy of the checkout, not from the working tree: no file of
    # the tree is read while someone edits it, and what is built is what a clone holds.
    context_dir = copy_checkout(tmp_path_factory.mktemp("context"))
    images = Images(tmp_path_factory.mktemp("docker"), context_dir, wanted)
    try:
        yield images
    finally:
        images.close()


@pytest.fixture(scope="session")
def docker_engine(_images: Images) -> Engine:
    return _images.engine.result()


@pytest.fixture(scope="session")
def admin_image(_images: Images) -> str:
    return _images.when_all_built("admin_image")


@pytest.fixture(scope="session")
def dev_image(_images: Images) -> str:
    return _images.when_all_built("dev_image")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASURED:
        terminalreporter.section("docker images: measured")
        for what, value in MEASURED.items():
            terminalreporter.write_line(f"{what}: {value}")
