"""What a run starts — the test provider, JupyterLab, Chromium — and the notebook helpers the
measurements share. Everything is registered on an ExitStack and stopped by its pid, in reverse
order, whether the run succeeded or not."""

from __future__ import annotations

import itertools
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e._page import NotebookPage, sign_in
from tests.e2e._stack import Lab, Provider, start_provider, write_notebook

from ._chromium import start_chromium
from ._lab import shutdown_kernels, start_lab
from ._probe import Probe

CLIENT = "bench"


@dataclass
class Env:
    stack: ExitStack
    workdir: Path
    lab: Lab
    provider: Provider
    browser: Browser
    probe: Probe
    # Cookies of a browser that signed in at the provider once: new contexts start with a live
    # provider session (no forms) but an empty HTTP cache.
    storage_state: Any = None
    _names: itertools.count[int] = field(default_factory=itertools.count)

    def start_provider(self, clients: list[str], **extra: Any) -> Provider:
        uris = [self.lab.redirect_uri()]
        workdir = self.workdir / f"provider-{uuid.uuid4().hex[:6]}"
        workdir.mkdir()
        idp = start_provider(workdir, [{"client_id": c, "redirect_uris": uris} for c in clients], **extra)
        self.stack.callback(idp.server.stop)
        return idp

    def config(self, variant: str, client: str = CLIENT, provider: Provider | None = None) -> dict[str, Any]:
        """A config of its own session key (the page shares live sessions by key): an extra
        authorization parameter, which the provider ignores, tells sign-ins apart."""
        idp = provider or self.provider
        return {"authority": idp.issuer, "client_id": client, "extraQueryParams": {"bench": variant}}

    def notebook(self, cells: list[str]) -> str:
        name = f"bench-{next(self._names):03d}-{uuid.uuid4().hex[:6]}.ipynb"
        write_notebook(self.lab.root / name, [self.probe.setup_cell(), *cells])
        return name

    def new_context(self) -> BrowserContext:
        ctx = self.browser.new_context(storage_state=self.storage_state)
        self.stack.callback(ctx.close)  # closed at the latest when the run ends
        return ctx

    def open(self, ctx: BrowserContext, name: str) -> NotebookPage:
        """The notebook in a new page, its first cell (the probe helpers) run."""
        nb = NotebookPage(ctx, self.lab, name)
        nb.run_and_wait(0, "bench-ready", timeout=60_000)
        return nb

    def report(self, label: str, page: Page, timeout: float = 90.0) -> dict[str, Any]:
        """Wait for a kernel's report, letting Playwright handle the page's events meanwhile (a
        redirect's "leave this page?" dialog waits for our answer)."""
        return self.probe.wait(label, timeout, pump=lambda: page.wait_for_timeout(10))

    def done(self, ctx: BrowserContext) -> None:
        # The provider renews its session cookie (after a consent, for one): carry it on, as the
        # person's browser would, or the next page would meet the login form.
        self.storage_state = ctx.storage_state()
        ctx.close()
        shutdown_kernels(self.lab)

    def ensure_provider_session(self) -> None:
        if self.storage_state is None:
            self.sign_in_at_provider(self.provider)

    def sign_in_at_provider(self, provider: Provider, client: str = CLIENT) -> None:
        """Log in once through the provider's forms, so that later sign-ins need none."""
        ctx = self.browser.new_context(storage_state=self.storage_state)
        try:
            cfg = self.config("login", client, provider)
            name = self.notebook([f"s = authenticate({cfg!r}, {{}})\nbench_watch('login', s, 0)"])
            nb = self.open(ctx, name)
            with nb.page.expect_popup() as popup:
                nb.run(1)
            sign_in(popup.value, "bench")
            report = self.report("login", nb.page)
            if not report["has_token"]:
                raise RuntimeError(f"the warm-up sign-in failed: {report['error']}")
        finally:
            self.done(ctx)


def log(message: str) -> None:
    """Progress on stderr: the table alone goes to stdout."""
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)


def press_run(nb: NotebookPage, index: int) -> float:
    """Shift+Enter in cell ``index``, as a person would; returns time.time() just before the key
    went down (one CDP round trip, ~1 ms, before the page sees it)."""
    nb.cell(index).locator(nb.ui["editor"]).click()
    pressed = time.time()
    nb.page.keyboard.press("Shift+Enter")
    return pressed


def wait_popups_closed(ctx: BrowserContext, page: Page, tabs: int = 1, timeout: float = 20.0) -> None:
    """Sign-in windows close themselves; the next measurement must not overlap the last one's.
    ``tabs``: the pages of the context that are not sign-in windows."""
    deadline = time.monotonic() + timeout
    while len(ctx.pages) > tabs:
        if time.monotonic() > deadline:
            raise TimeoutError("a sign-in window stayed open")
        page.wait_for_timeout(20)


def open_env(stack: ExitStack, workdir: Path, clients: list[str]) -> Env:
    lab = start_lab(workdir / "lab")
    stack.callback(lab.server.stop)
    chromium, endpoint = start_chromium(workdir)
    stack.callback(chromium.stop)
    pw = sync_playwright().start()
    stack.callback(pw.stop)
    browser = pw.chromium.connect_over_cdp(endpoint)
    probe = Probe()
    stack.callback(probe.close)
    env = Env(stack, workdir, lab, None, browser, probe)  # type: ignore[arg-type]
    env.provider = env.start_provider([CLIENT, *clients])
    return env
