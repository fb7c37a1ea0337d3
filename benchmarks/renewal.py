"""Renewal with 20-second access tokens: the share of time the kernel holds a valid token over k
renewals (sampled in the kernel), and what an idle signed-in page costs in the browser. The server's
token keeper renews (at half the lifetime of so short a token) and hands each new token to the kernel
over its socket; the page only hears of each renewal through its long poll.

CPU: the main-thread task time Chromium reports for each page (CDP Performance.getMetrics,
TaskDuration, in thread time), over one window, for three pages side by side in one browser: a
notebook that never signed in, one signed in with a long-lived token (nothing renewed in the
window), one signed in with 20-second tokens (a new view every ~10 s)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import CDPSession, Page

from tests.e2e._page import sign_in

from ._env import Env, log, press_run, wait_popups_closed
from ._lab import shutdown_kernels
from ._report import Row, seconds, spread

TTL = 20
CLIENT = "renewing"


def _task_seconds(cdp: CDPSession) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


def _cpu(page: Page) -> CDPSession:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})  # CPU time, not wall time
    return cdp


def rows(env: Env, renewals: int) -> list[Row]:
    env.ensure_provider_session()
    short = env.start_provider([CLIENT], access_token_ttl=TTL)
    # The pages share one context: the provider session of the first provider lets the long-lived
    # page sign in without forms; the second provider's login form is filled in.
    ctx = env.browser.new_context(storage_state=env.storage_state)
    try:
        idle = env.open(ctx, env.notebook([]))
        long_lived = env.open(ctx, env.notebook(["s = authenticate(" + repr(env.config("idle")) + ", {})"]))
        renewing = env.open(
            ctx,
            env.notebook(
                [
                    f"s = authenticate({env.config('renew', CLIENT, short)!r}, {{}})\n"
                    f"bench_renewals('renewals', s, {renewals})"
                ]
            ),
        )
        long_lived.page.bring_to_front()
        press_run(long_lived, 1)
        long_lived.wait_status("signed_in", index=1)
        wait_popups_closed(ctx, long_lived.page, tabs=3)
        renewing.page.bring_to_front()
        with renewing.page.expect_popup() as popup:
            press_run(renewing, 1)
        sign_in(popup.value, "bench")
        renewing.wait_status("signed_in", index=1)
        wait_popups_closed(ctx, renewing.page, tabs=3)
        pages = {
            "not signed in": idle,
            "signed in, 1 h token": long_lived,
            f"signed in, {TTL} s token": renewing,
        }
        sessions = {k: _cpu(nb.page) for k, nb in pages.items()}
        before = {k: _task_seconds(c) for k, c in sessions.items()}
        started = time.monotonic()
        log(f"watching {renewals} renewal(s) of {TTL} s tokens")
        report = env.report("renewals", renewing.page, timeout=renewals * TTL + 90)
        window = time.monotonic() - started
        cpu = {k: (_task_seconds(c) - before[k]) / window * 60 for k, c in sessions.items()}
    finally:
        ctx.close()  # not env.done(): this context's cookies stay out of the other sections
        shutdown_kernels(env.lab)
    return _rows(report, renewals, cpu, window)


def _rows(report: dict[str, Any], renewals: int, cpu: dict[str, float], window: float) -> list[Row]:
    samples, valid = int(report["samples"]), int(report["valid"])
    share = valid / samples if samples else 0.0
    margins = [float(m) for m in report["margins"]]
    span = float(report["end"]) - float(report["start"])
    base = cpu["not signed in"]
    per_min = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cpu.items())
    added = {k: v - base for k, v in cpu.items() if k != "not signed in"}
    # What one renewal costs: the renewing page against the signed-in page with nothing to renew.
    per_renewal = (cpu[f"signed in, {TTL} s token"] - cpu["signed in, 1 h token"]) * window / 60 / renewals
    return [
        Row(
            f"renewal ({TTL} s tokens): share of time the kernel's token is valid",
            f"{share:.1%} of {samples} samples over {span:.0f} s, {len(margins)} of {renewals} renewals",
            "100 %",
            valid == samples and len(margins) >= renewals,
            "a thread in the kernel reads the token dict every 50 ms from the first token until the "
            "k-th renewal: valid when it holds an access_token and expires_at is in the future.",
        ),
        Row(
            "renewal: new token in the kernel before the old one expired by",
            spread(margins, seconds),
            "> 0 s",
            bool(margins) and min(margins) > 0,
            "old expires_at minus SignIn.received_at of its successor, per renewal (the keeper renews at "
            "half the lifetime of a 20 s token).",
        ),
        Row(
            "idle page: added renderer main-thread CPU per minute",
            "; ".join(f"{k} {v * 1000:+.0f} ms" for k, v in added.items())
            + f" (absolute: {per_min}); ≈ {per_renewal * 1000:.0f} ms per renewal",
            how=f"TaskDuration (thread time) from CDP Performance.getMetrics of each of {len(cpu)} "
            f"JupyterLab pages open side by side for the same {window:.0f} s window, minus that of the "
            "page that never signed in.",
        ),
    ]
