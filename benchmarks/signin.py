"""Shift+Enter → access token in the kernel, with a live provider session (no forms to fill):
popup sign-in in a fresh page, in a page whose widget already ran, in a second notebook of the same
page; the live session found again, without a window, after a page reload and after a kernel
restart; redirect mode; and consent (the click on the provider's "Continue") → token in the kernel.

Each figure runs from a timestamp taken in this process just before the key (or mouse button) went
down — or the reload was asked — to ``SignIn.received_at``, the kernel's time.time() when its
follower of the server's token keeper filled the token (for the reload: to the widget showing the
live session). The kernel has imported the package in an earlier cell: import time is its own
figure.

Every sign-in that must open a window uses a config of its own session key (an extraQueryParams
value the provider ignores): the keeper gives a config whose key has a live session that session at
once, without a window."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, Page, Request

from ._env import Env, log, press_run, wait_popups_closed
from ._report import Row, median, ms, ratio, spread, timed_row
from ._timeline import MARKS_JS, SHOWN, STATUS_JS, Fetch, Trace, milestones, record

FRESH, SAME, SECOND = "fresh page", "widget already ran", "second notebook"
RELOAD, RESTART, REDIRECT = "page reload", "kernel restart", "redirect mode"
KINDS = (FRESH, SAME, SECOND, RELOAD, RESTART, REDIRECT)
WIDGET_JS = "static/ipython_oidc_client/widget.js"
ROUTES = re.compile(r"/oidc/(signin|redeem|instances/|sessions/|providers|return-path)")


@dataclass
class Samples:
    popup: dict[str, list[float]] = field(default_factory=lambda: {FRESH: [], SAME: [], SECOND: []})
    traces: dict[str, list[Trace]] = field(default_factory=lambda: {k: [] for k in KINDS})
    reload: list[float] = field(default_factory=list)
    # The reload's part after JupyterLab's own: from the widget's module requested (the restored view
    # starts to draw) to the widget showing the live session.
    reload_widget: list[float] = field(default_factory=list)
    restart: list[float] = field(default_factory=list)
    # The reload and restart runs: windows that opened, codes the provider issued meanwhile, and
    # whether the kernel still held its token after the reload (it should: nothing touched it).
    rejoin_windows: int = 0
    rejoin_codes: int = 0
    held: list[bool] = field(default_factory=list)
    redirect: list[float] = field(default_factory=list)
    consent: list[float] = field(default_factory=list)


def cell(label: str, config: dict[str, Any], mode: str = "popup") -> str:
    return (
        f"_t0 = _btime.time()\ns_{label} = authenticate({config!r}, {{}}, timeout=60, mode={mode!r})\n"
        f"bench_watch({label!r}, s_{label}, _t0)"
    )


def _took(report: dict[str, Any], start: float) -> float:
    if not report["has_token"] or report["received_at"] is None:
        raise RuntimeError(f"sign-in {report['label']} failed in the page: {report['error']}")
    return float(report["received_at"]) - start


def _codes(env: Env) -> int:
    return sum("code" in e for e in env.provider.issued())


class WatchedPage:
    """A fresh browser context and its notebook page, watched: requests and in-page marks."""

    def __init__(self, env: Env, cells: list[str], status: bool = False) -> None:
        self.env = env
        self.ctx: BrowserContext = env.new_context()
        self.ctx.add_init_script(MARKS_JS)
        if status:
            self.ctx.add_init_script(STATUS_JS)
        self.fetches: list[Fetch] = []
        # The server's sign-in routes under way (not the long poll, which stays open): a sign-in's
        # trace is taken once they are done, for the keeper tells the kernel before it answers the page.
        self.inflight: set[Request] = set()
        self.ctx.on("request", lambda r: self.inflight.add(r) if ROUTES.search(r.url) else None)
        self.ctx.on("requestfailed", lambda r: self.inflight.discard(r))
        self.ctx.on("requestfinished", self._finished)
        self.name = env.notebook(cells)
        self.nb = env.open(self.ctx, self.name)

    def _finished(self, request: Request) -> None:
        self.inflight.discard(request)
        fetch = record(request)
        if fetch:
            self.fetches.append(fetch)

    def trace(
        self, pressed: float, cell_start: float | None, received: float | None, end: float = 0.0
    ) -> Trace:
        """The sign-in's requests and marks, once the page's requests to the server's routes are done."""
        deadline = time.monotonic() + 10
        while self.inflight and time.monotonic() < deadline:
            self.page.wait_for_timeout(10)  # a condition polled with a deadline; Playwright runs meanwhile
        return Trace(list(self.fetches), self.marks(), pressed, cell_start, received, end)

    @property
    def page(self) -> Page:
        return self.nb.page

    def marks(self) -> list[tuple[str, float]]:
        # After a reload or a redirect, the marks of the page that came back (the others went with
        # the old page).
        return [(str(n), float(t)) for n, t in self.page.evaluate("() => window.__benchMarks || []")]

    def shown_after(self, since: float) -> float:
        """When a widget of the page first showed a live session at or after ``since`` (seconds)."""
        found = [t / 1000 for n, t in self.marks() if n == SHOWN and t / 1000 >= since]
        if not found:
            raise RuntimeError("the widget shows signed_in, but no mark of it was taken")
        return min(found)

    def sign_in(self, index: int, label: str, kind: str | None, out: Samples) -> float:
        """Run the sign-in cell ``index``; its trace goes to ``out`` under ``kind`` (None: not kept)."""
        codes = _codes(self.env)
        pressed = press_run(self.nb, index)
        report = self.env.report(label, self.page)
        took = _took(report, pressed)
        wait_popups_closed(self.ctx, self.page)
        if _codes(self.env) == codes:
            # The keeper gave a live session of the same key: this was no sign-in at the provider.
            raise RuntimeError(
                f"sign-in {label}: the provider issued no code; its config's key is not its own"
            )
        if kind == REDIRECT:
            # The callback page hands the answer to the keeper, so the kernel has its token while the
            # tab is still on its way back: wait for the notebook and its widget before reading marks.
            self.page.wait_for_url(lambda url: self.name in url, wait_until="load", timeout=60_000)
            self.nb.wait_kernel_ready()
        if kind is not None:
            out.traces[kind].append(self.trace(pressed, report["t0"], report["received_at"]))
        return took

    def consent(self, index: int, label: str, out: Samples) -> None:
        """A client this browser never consented to: the provider asks; the person clicks Continue."""
        with self.page.expect_popup() as popup_info:
            press_run(self.nb, index)
        popup = popup_info.value
        button = popup.locator("button:has-text('Continue')")
        button.wait_for(timeout=20_000)
        box = button.bounding_box()
        assert box is not None
        clicked = time.time()
        popup.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        out.consent.append(_took(self.env.report(label, self.page), clicked))
        wait_popups_closed(self.ctx, self.page)


def _popup_page(env: Env, run: int, out: Samples) -> float:
    """One fresh page: the first widget, two more in the same notebook, a consent, a second notebook."""
    labels = [f"fresh{run}", f"warm{run}a", f"warm{run}b"]
    cells = [cell(label, env.config(label)) for label in labels]
    cells.append(cell(f"consent{run}", env.config("consent", client=f"consent-{run}")))
    page = WatchedPage(env, cells)
    fresh = page.sign_in(1, labels[0], FRESH, out)
    out.popup[FRESH].append(fresh)
    out.popup[SAME] += [page.sign_in(2, labels[1], SAME, out), page.sign_in(3, labels[2], SAME, out)]
    page.consent(4, f"consent{run}", out)
    page.nb.open_in_same_page(env.notebook([cell(f"second{run}", env.config(f"second{run}"))]))
    page.nb.run_and_wait(0, "bench-ready", timeout=60_000)
    out.popup[SECOND].append(page.sign_in(1, f"second{run}", SECOND, out))
    env.done(page.ctx)
    return fresh


def _save(page: WatchedPage, env: Env) -> None:
    """Save the notebook, as a person would before closing: the widget's output (its view's model id)
    comes back after a reload only from the saved file."""
    page.nb.save()
    path = env.lab.root / page.name
    deadline = time.monotonic() + 20
    while "application/vnd.jupyter.widget-view+json" not in path.read_text():
        if time.monotonic() > deadline:
            raise TimeoutError("the notebook was not saved with the widget's output")
        page.page.wait_for_timeout(50)  # a file polled with a deadline; Playwright runs meanwhile


def _rejoin_page(env: Env, run: int, out: Samples) -> tuple[float, float]:
    """Sign in (a popup, not counted), then reload the page, then restart the kernel and run the same
    cell again: the keeper's live session serves both, without a window."""
    label = f"rejoin{run}"
    page = WatchedPage(
        env, [cell(label, env.config(label)), f"bench_now('held{run}', s_{label})"], status=True
    )
    page.page.on("dialog", lambda dialog: dialog.accept())  # "leave this page?", if it asks
    page.sign_in(1, label, None, out)
    _save(page, env)
    windows: list[Page] = []
    page.ctx.on("page", lambda p: windows.append(p))
    codes = _codes(env)

    # The reload: from the request to the widget showing the live session again.
    page.nb.kernel_ready = False
    reloaded = time.time()
    page.page.reload()
    page.nb.wait_kernel_ready()
    page.nb.wait_status("signed_in", index=1, timeout=30_000)
    shown = page.shown_after(reloaded)
    out.reload.append(shown - reloaded)
    trace = page.trace(reloaded, None, None, end=shown)
    out.traces[RELOAD].append(trace)
    module = [f.start for f in trace.fetches if reloaded <= f.start <= shown and WIDGET_JS in f.url]
    if module:
        out.reload_widget.append(shown - min(module))
    page.nb.run(2)
    out.held.append(bool(env.report(f"held{run}", page.page)["has_token"]))

    # The restart: the same cell again in a new kernel, from Shift+Enter to the token there.
    page.nb.restart_kernel()
    page.nb.run_and_wait(0, "bench-ready", timeout=60_000)
    pressed = press_run(page.nb, 1)
    report = env.report(label, page.page)
    restart = _took(report, pressed)
    out.restart.append(restart)
    page.nb.wait_status("signed_in", index=1, timeout=30_000)
    shown = page.shown_after(pressed)
    out.traces[RESTART].append(page.trace(pressed, report["t0"], report["received_at"], end=shown))

    out.rejoin_windows += len(windows)
    out.rejoin_codes += _codes(env) - codes
    env.done(page.ctx)
    return out.reload[-1], restart


def _redirect_page(env: Env, run: int, out: Samples) -> float:
    label = f"redirect{run}"
    page = WatchedPage(env, [cell(label, env.config(label), mode="redirect")])
    # "Leave this page? Changes you made may not be saved": the person says yes.
    page.page.on("dialog", lambda dialog: dialog.accept())
    took = page.sign_in(1, label, REDIRECT, out)
    out.redirect.append(took)
    env.done(page.ctx)
    return took


def measure(env: Env, runs: int) -> Samples:
    out = Samples()
    env.ensure_provider_session()
    # The kinds alternate within each run, so that a busy spell of the machine hits all alike.
    for run in range(runs):
        _popup_page(env, run, out)
        reload, restart = _rejoin_page(env, run, out)
        redirect = _redirect_page(env, run, out)
        last = {kind: ", ".join(f"{v:.3f}" for v in values[-2:]) for kind, values in out.popup.items()}
        log(
            f"run {run}: popup {last} s, consent {out.consent[-1]:.3f} s, reload {reload:.3f} s, "
            f"restart {restart:.3f} s, redirect {redirect:.3f} s"
        )
    return out


def rows(s: Samples) -> list[Row]:
    key = "from Shift+Enter (timestamp in the benchmark process) to SignIn.received_at in the kernel"
    fresh, redirect = median(s.popup[FRESH]), median(s.redirect)
    times = f"; {ratio(redirect / fresh)} the fresh-page popup" if s.popup[FRESH] and s.redirect else ""
    runs = len(s.reload)
    quiet = s.rejoin_windows == 0 and s.rejoin_codes == 0 and len(s.held) == runs and all(s.held)
    return [
        timed_row(
            "popup sign-in, first widget in a fresh page",
            s.popup[FRESH],
            0.4,
            f"{key}; new browser context (empty HTTP cache) with the provider's session cookie, "
            "notebook and kernel already open, the package imported in an earlier cell.",
        ),
        timed_row(
            "popup sign-in, widget already ran in this notebook",
            s.popup[SAME],
            0.35,
            f"{key}; 2nd and 3rd sign-in of the page (module loaded), each with its own session key.",
        ),
        timed_row(
            "popup sign-in, second notebook in the same page",
            s.popup[SECOND],
            0.35,
            f"{key}; a notebook opened from the file browser of the page that signed in already.",
        ),
        timed_row(
            "page reload → the widget shows the live session",
            s.reload,
            0.3,
            "from the reload (timestamp in the benchmark process, just before Playwright asks it) to the "
            'first moment a widget of the new page has data-status="signed_in" (a mutation observer\'s '
            "Date.now() in the page); the notebook was saved after a popup sign-in, its kernel runs on. "
            "JupyterLab's own reload of the page, the notebook and the widget's model is in it.",
        ),
        timed_row(
            "page reload, the widget's part: its module requested → the live session shown",
            s.reload_widget,
            0.3,
            "the same reloads, from the moment the restored widget view starts (the browser's request "
            f'for {WIDGET_JS}, resource timing) to data-status="signed_in": the time the reload takes '
            "beyond JupyterLab's own loading of the page, the notebook and the widget's model.",
        ),
        timed_row(
            "kernel restart, the same cell again → token in the kernel",
            s.restart,
            0.3,
            f"{key}; the reloaded page's kernel restarted from the Kernel menu, the package imported again "
            "in the first cell, then the sign-in cell run again: its config's session is live at the keeper.",
        ),
        Row(
            "reload and restart: windows, sign-ins at the provider, kernel's token",
            f"{s.rejoin_windows} windows, {s.rejoin_codes} codes issued; the kernel held its token after "
            f"{sum(s.held)} of {len(s.held)} reloads",
            f"0, 0, {runs} of {runs}",
            quiet,
            "windows the browser context opened from the reload to the restart's token; authorization "
            "codes the provider issued meanwhile (its spy file); a cell run after each reload reports "
            "whether the kernel's token dict holds an access token.",
        ),
        timed_row(
            "redirect mode sign-in",
            s.redirect,
            None,
            f"{key}; the tab goes to the provider, whose answer the callback page hands to the keeper "
            "(the kernel has its token then), and back, where JupyterLab loads again; the 'leave this "
            f"page?' dialog is accepted at once{times} (ratio of medians).",
        ),
        timed_row(
            "consent click → token in the kernel",
            s.consent,
            None,
            "from the mouse click on the provider's consent 'Continue' (a client not yet consented to, "
            "session live) to SignIn.received_at.",
        ),
    ]


def timeline_table(s: Samples) -> tuple[str, list[str], list[list[str]]]:
    kinds = [k for k in KINDS if s.traces[k]]
    steps = {k: [milestones(t) for t in s.traces[k]] for k in kinds}

    def at(kind: str, name: str) -> list[float]:
        return [m[name] for m in steps[kind] if name in m]

    # One order for steps that not every kind passes: the steps of the run that has most, in time
    # order; each other step after the last of them that comes before it in the runs having both.
    runs = [m for per_kind in steps.values() for m in per_kind]

    def precedes(a: str, b: str) -> bool:
        gaps = [m[b] - m[a] for m in runs if a in m and b in m]
        return bool(gaps) and median(gaps) > 0

    longest = max(runs, key=len) if runs else {}
    order = sorted(longest, key=lambda n: longest[n])
    for n in sorted({n for m in runs for n in m} - set(order)):
        order.insert(max((i + 1 for i, o in enumerate(order) if precedes(o, n)), default=0), n)
    rows = [[n] + [spread(at(k, n), ms) if at(k, n) else "—" for k in kinds] for n in order]
    title = "Where a sign-in spends its time: median after Shift+Enter (the reload: after it), min–max, n"
    return (title, ["step", *kinds], rows)
