"""``python -m benchmarks [--quick] [--out FILE]``: start the test provider, JupyterLab and Chromium,
measure, print a Markdown table. Exit 0 when every figure was measured (missed targets included),
1 when the harness broke."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from . import concurrent, cpuprofile, keeper, offline, renewal, resources, signin, throughput
from ._env import Env, open_env
from ._machine import describe, load
from ._report import Report

# The keeper's section first of those that sign in: its figure is then of the sessions it makes (and
# the warm-up sign-in's), not of every earlier section's too.
SECTIONS = ["sizes", "imports", "throughput", "keeper", "signin", "concurrent", "renewal", "resources"]


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer runs, small N, one renewal (CI, ~4 min)")
    p.add_argument("--runs", type=int, help="sign-in runs of each kind (default 7, quick 2)")
    p.add_argument("--notebooks", type=int, help="notebooks signing in at once (default 20, quick 4)")
    p.add_argument("--renewals", type=int, help="renewals watched (default 5, quick 1)")
    p.add_argument(
        "--sessions", type=int, help="live sessions the keeper holds at rest (default 20, quick 5)"
    )
    p.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    p.add_argument("--out", type=Path, help="also write the table to this file")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs) afterwards")
    a = p.parse_args(argv)
    a.runs = a.runs or (2 if a.quick else 7)
    a.notebooks = a.notebooks or (4 if a.quick else 20)
    a.renewals = a.renewals or (1 if a.quick else 5)
    a.sessions = a.sessions or (5 if a.quick else 20)
    a.idle = 5.0 if a.quick else 10.0
    a.sections = a.only or SECTIONS
    return a


def _run(report: Report, name: str, step: Callable[[], None], loads: list[str]) -> None:
    """One section; a broken one is reported and the others still run."""
    started = time.monotonic()
    loads.append(f"{name} {os.getloadavg()[0]:.2f}")
    print(f"[benchmarks] {name}… (load average {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    try:
        step()
    except Exception as err:
        report.failures.append(f"{name}: {type(err).__name__}: {err}".splitlines()[0][:300])
        traceback.print_exc(file=sys.stderr)
    print(f"[benchmarks] {name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    # A CI timeout sends SIGTERM: leave through the ExitStack, which stops every server by its pid.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="oidc-bench-"))
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            env: Env = open_env(stack, workdir, [f"consent-{i}" for i in range(a.runs)])
            report.machine = describe(env.browser.version)
            quick = "quick" if a.quick else "full"
            report.notes.append(
                f"Mode {quick}: {a.runs} sign-in runs of each kind, {a.notebooks} notebooks at once, "
                f"{a.renewals} renewal(s), {a.sessions} sessions made for the keeper at rest, "
                f"{a.idle:.0f} s at rest."
            )
            steps: dict[str, Callable[[], None]] = {
                "sizes": lambda: report.rows.extend(offline.size_rows(env.lab)),
                "imports": lambda: report.rows.extend(offline.import_rows(20 if not a.quick else 10)),
                "throughput": lambda: report.rows.extend(throughput.rows(env.lab, a.quick)),
                "keeper": lambda: report.rows.extend(keeper.rows(env, a.sessions, a.idle)),
                "signin": lambda: _signin(report, env, a.runs),
                "concurrent": lambda: report.rows.extend(concurrent.rows(env, a.notebooks)),
                "renewal": lambda: report.rows.extend(renewal.rows(env, a.renewals)),
                "resources": lambda: report.rows.extend(resources.rows(env, 3 if a.quick else 10)),
            }
            loads: list[str] = []
            for name in a.sections:
                _run(report, name, steps[name], loads)
            # Other work on a shared machine moves the figures: how busy it was as each section began.
            report.notes.append(f"Load average (1 min) as each section began: {', '.join(loads)}.")
    except Exception as err:
        report.failures.append(f"start-up: {type(err).__name__}: {err}".splitlines()[0][:300])
        traceback.print_exc(file=sys.stderr)
    report.machine.append(("load average at end", load()))
    report.notes.append(f"Whole run: {time.monotonic() - started:.0f} s. Work directory: {workdir}.")
    text = report.markdown()
    print(text)
    if a.out:
        a.out.write_text(text)
    if not a.keep and not report.failures:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if report.failures else 0


def _signin(report: Report, env: Env, runs: int) -> None:
    samples = signin.measure(env, runs)
    report.rows.extend(signin.rows(samples))
    report.tables.append(signin.timeline_table(samples))
    report.tables.append(cpuprofile.profiled_sign_in(env))


if __name__ == "__main__":
    sys.exit(main())
