"""Shift+Enter → access token in the kernel, with a live provider session (no forms to fill):
popup sign-in in a fresh page, in a page whose widget already ran, in a second notebook of the same
page; redirect mode; and consent (the click on the provider's "Continue") → token in the kernel.

Each figure runs from a timestamp taken in this process just before the key (or mouse button) went
down to ``SignIn.received_at``, the kernel's time.time() when the widget's message filled the
token. The kernel has imported the package in an earlier cell: import time is its own figure."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext

from ._env import Env, log, press_run, wait_popups_closed
from ._report import Row, median, ms, ratio, spread, timed_row
from ._timeline import MARKS_JS, Fetch, Trace, milestones, record

FRESH, SAME, SECOND, REDIRECT = "fresh page", "widget already ran", "second notebook", "redirect mode"
KINDS = (FRESH, SAME, SECOND, REDIRECT)


@dataclass
class Samples:
    popup: dict[str, list[float]] = field(default_factory=lambda: {FRESH: [], SAME: [], SECOND: []})
    traces: dict[str, list[Trace]] = field(default_factory=lambda: {k: [] for k in KINDS})
    redirect: list[float] = field(default_factory=list)
    consent: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # redirect / fresh popup, per run


def cell(label: str, config: dict[str, Any], mode: str = "popup") -> str:
    return (
        f"_t0 = _btime.time()\ns_{label} = authenticate({config!r}, {{}}, timeout=60, mode={mode!r})\n"
        f"bench_watch({label!r}, s_{label}, _t0)"
    )


def _took(report: dict[str, Any], start: float) -> float:
    if not report["has_token"] or report["received_at"] is None:
        raise RuntimeError(f"sign-in {report['label']} failed in the page: {report['error']}")
    return float(report["received_at"]) - start


class WatchedPage:
    """A fresh browser context and its notebook page, watched: requests and in-page marks."""

    def __init__(self, env: Env, cells: list[str]) -> None:
        self.env = env
        self.ctx: BrowserContext = env.new_context()
        self.ctx.add_init_script(MARKS_JS)
        self.fetches: list[Fetch] = []
        self.ctx.on("requestfinished", lambda r: self.fetches.append(f) if (f := record(r)) else None)
        self.nb = env.open(self.ctx, env.notebook(cells))

    def sign_in(self, index: int, label: str, kind: str, out: Samples) -> float:
        pressed = press_run(self.nb, index)
        report = self.env.report(label, self.nb.page)
        took = _took(report, pressed)
        wait_popups_closed(self.ctx, self.nb.page)
        # After a redirect, the marks of the page that came back (the others went with the old page).
        marks = [(str(n), float(t)) for n, t in self.nb.page.evaluate("() => window.__benchMarks || []")]
        trace = Trace(list(self.fetches), marks, pressed, report["t0"], report["received_at"])
        out.traces[kind].append(trace)
        return took

    def consent(self, index: int, label: str, out: Samples) -> None:
        """A client this browser never consented to: the provider asks; the person clicks Continue."""
        with self.nb.page.expect_popup() as popup_info:
            press_run(self.nb, index)
        popup = popup_info.value
        button = popup.locator("button:has-text('Continue')")
        button.wait_for(timeout=20_000)
        box = button.bounding_box()
        assert box is not None
        clicked = time.time()
        popup.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        out.consent.append(_took(self.env.report(label, self.nb.page), clicked))
        wait_popups_closed(self.ctx, self.nb.page)


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


def _redirect_page(env: Env, run: int, out: Samples) -> float:
    label = f"redirect{run}"
    page = WatchedPage(env, [cell(label, env.config(label), mode="redirect")])
    # "Leave this page? Changes you made may not be saved": the person says yes.
    page.nb.page.on("dialog", lambda dialog: dialog.accept())
    took = page.sign_in(1, label, REDIRECT, out)
    out.redirect.append(took)
    env.done(page.ctx)
    return took


def measure(env: Env, runs: int) -> Samples:
    out = Samples()
    env.ensure_provider_session()
    # Popup and redirect runs alternate, so that a busy spell of the machine hits both alike.
    for run in range(runs):
        fresh = _popup_page(env, run, out)
        redirect = _redirect_page(env, run, out)
        last = {kind: ", ".join(f"{v:.3f}" for v in values[-2:]) for kind, values in out.popup.items()}
        log(f"run {run}: popup {last} s, consent {out.consent[-1]:.3f} s, redirect {redirect:.3f} s")
        out.ratios.append(redirect / fresh)
    return out


def rows(s: Samples) -> list[Row]:
    key = "from Shift+Enter (timestamp in the benchmark process) to SignIn.received_at in the kernel"
    popup = ratio(median(s.redirect) / median(s.popup[FRESH])) if s.popup[FRESH] and s.redirect else "n/a"
    return [
        timed_row(
            "popup sign-in, first widget in a fresh page",
            s.popup[FRESH],
            0.5,
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
            "redirect mode sign-in",
            s.redirect,
            None,
            f"{key}; the tab goes to the provider and back, JupyterLab loads again, the widget finishes "
            "sign-in; the 'leave this page?' dialog is accepted at once.",
        ),
        Row(
            "redirect / popup (fresh page)",
            f"{popup} of medians; per run {spread(s.ratios, ratio)}",
            "≥ 6×",
            (median(s.redirect) / median(s.popup[FRESH]) >= 6) if s.popup[FRESH] and s.redirect else None,
            "median redirect time over median fresh-page popup time, runs alternating in this process.",
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
    title = "Where a sign-in spends its time: median after Shift+Enter (min–max, n)"
    return (title, ["step", *kinds], rows)
