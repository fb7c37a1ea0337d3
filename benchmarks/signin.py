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


@dataclass
class Samples:
    fresh: list[float] = field(default_factory=list)
    same_notebook: list[float] = field(default_factory=list)
    second_notebook: list[float] = field(default_factory=list)
    redirect: list[float] = field(default_factory=list)
    consent: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # redirect / fresh popup, per run
    timelines: list[Trace] = field(default_factory=list)  # of the fresh-page sign-ins


def _cell(label: str, config: dict[str, Any], mode: str = "popup") -> str:
    return (
        f"_t0 = _btime.time()\ns_{label} = authenticate({config!r}, {{}}, timeout=60, mode={mode!r})\n"
        f"bench_watch({label!r}, s_{label}, _t0)"
    )


def _took(report: dict[str, Any], start: float) -> float:
    if not report["has_token"] or report["received_at"] is None:
        raise RuntimeError(f"sign-in {report['label']} failed in the page: {report['error']}")
    return float(report["received_at"]) - start


def _popup_page(env: Env, run: int, out: Samples) -> float:
    """One fresh page: the first widget, two more in the same notebook, a consent, a second notebook."""
    ctx: BrowserContext = env.new_context()
    ctx.add_init_script(MARKS_JS)
    fetches: list[Fetch] = []
    ctx.on("requestfinished", lambda r: fetches.append(f) if (f := record(r)) else None)
    labels = [f"fresh{run}", f"warm{run}a", f"warm{run}b"]
    cells = [_cell(label, env.config(label)) for label in labels]
    cells.append(_cell(f"consent{run}", env.config("consent", client=f"consent-{run}")))
    nb = env.open(ctx, env.notebook(cells))
    fresh = 0.0
    for index, label in enumerate(labels, start=1):
        pressed = press_run(nb, index)
        report = env.report(label, nb.page)
        took = _took(report, pressed)
        wait_popups_closed(ctx, nb.page)
        if index == 1:
            fresh = took
            out.fresh.append(took)
            marks = [(str(n), float(t)) for n, t in nb.page.evaluate("() => window.__benchMarks || []")]
            out.timelines.append(Trace(list(fetches), marks, pressed, report["t0"], report["received_at"]))
        else:
            out.same_notebook.append(took)
    # A client this browser never consented to: the provider asks, and the person clicks Continue.
    with nb.page.expect_popup() as popup_info:
        press_run(nb, 4)
    button = popup_info.value.locator("button:has-text('Continue')")
    button.wait_for(timeout=20_000)
    box = button.bounding_box()
    assert box is not None
    clicked = time.time()
    popup_info.value.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    out.consent.append(_took(env.report(f"consent{run}", nb.page), clicked))
    wait_popups_closed(ctx, nb.page)
    second = env.notebook([_cell(f"second{run}", env.config(f"second{run}"))])
    nb.open_in_same_page(second)
    nb.run_and_wait(0, "bench-ready", timeout=60_000)
    pressed = press_run(nb, 1)
    out.second_notebook.append(_took(env.report(f"second{run}", nb.page), pressed))
    env.done(ctx)
    return fresh


def _redirect_page(env: Env, run: int) -> float:
    ctx = env.new_context()
    label = f"redirect{run}"
    nb = env.open(ctx, env.notebook([_cell(label, env.config(label), mode="redirect")]))
    # "Leave this page? Changes you made may not be saved": the person says yes.
    nb.page.on("dialog", lambda dialog: dialog.accept())
    pressed = press_run(nb, 1)
    took = _took(env.report(label, nb.page), pressed)
    env.done(ctx)
    return took


def measure(env: Env, runs: int) -> Samples:
    out = Samples()
    env.ensure_provider_session()
    # Popup and redirect runs alternate, so that a busy spell of the machine hits both alike.
    for run in range(runs):
        fresh = _popup_page(env, run, out)
        redirect = _redirect_page(env, run)
        log(
            f"run {run}: fresh {fresh:.3f} s, same notebook {out.same_notebook[-2:]}, second notebook "
            f"{out.second_notebook[-1]:.3f} s, consent {out.consent[-1]:.3f} s, redirect {redirect:.3f} s"
        )
        out.redirect.append(redirect)
        out.ratios.append(redirect / fresh)
    return out


def rows(s: Samples) -> list[Row]:
    key = "from Shift+Enter (timestamp in the benchmark process) to SignIn.received_at in the kernel"
    popup = ratio(median(s.redirect) / median(s.fresh)) if s.fresh and s.redirect else "n/a"
    return [
        timed_row(
            "popup sign-in, first widget in a fresh page",
            s.fresh,
            0.5,
            f"{key}; new browser context (empty HTTP cache) with the provider's session cookie, "
            "notebook and kernel already open, the package imported in an earlier cell.",
        ),
        timed_row(
            "popup sign-in, widget already ran in this notebook",
            s.same_notebook,
            0.35,
            f"{key}; 2nd and 3rd sign-in of the page (module loaded), each with its own session key.",
        ),
        timed_row(
            "popup sign-in, second notebook in the same page",
            s.second_notebook,
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
            (median(s.redirect) / median(s.fresh) >= 6) if s.fresh and s.redirect else None,
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
    per_run = [milestones(t) for t in s.timelines]
    names = sorted({n for m in per_run for n in m}, key=lambda n: median([m[n] for m in per_run if n in m]))
    rows = [[n, spread([m[n] for m in per_run if n in m], ms)] for n in names]
    return (
        "Where a fresh-page popup sign-in spends its time (median after Shift+Enter)",
        ["step", "at"],
        rows,
    )
