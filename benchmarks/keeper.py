"""The server's token keeper at rest: its CPU time and its memory while it holds N live sessions,
each signed in through the real page (a popup each, N configs of their own session keys), followed by
the page's kernel and watched by the page's long poll, as a notebook that used them leaves them.

Read from /proc, as the machine sees the process: /proc/<pid>/stat (utime + stime, in clock ticks,
the threads that ended included), /proc/<pid>/status (VmRSS, VmHWM, Threads), the context switches of
its threads (/proc/<pid>/task/*/status) and, for what the memory is made of, /proc/<pid>/smaps (the
resident set of each mapping). The keeper is not dumpable (prctl(PR_SET_DUMPABLE, 0)): its smaps is
readable by root only, so the breakdown says so where it cannot be had; stat and status are readable.
A second breakdown imports the keeper's modules in a fresh interpreter, stage by stage, and reads
that interpreter's VmRSS after each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from ipython_oidc_client._keeper.client import call
from tests.e2e._stack import Lab

from ._env import Env, log, press_run, wait_popups_closed
from ._report import Row, median, spread
from .signin import cell

TICK = os.sysconf("SC_CLK_TCK")
MB = 1_000_000  # bytes; the smaller unit, so a "MB" target is not met by rounding
ANONYMOUS = "anonymous memory (Python's objects, malloc arenas, thread stacks)"


def _stat_fields(pid: int) -> list[str]:
    # The command name may hold spaces and parentheses: the fields start after the last ')'.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def keeper_pid(lab: Lab) -> int:
    """The keeper that the JupyterLab server started (its child: `python -m ipython_oidc_client._keeper`)."""
    server = lab.server.proc.pid
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(proc.name))[1])
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if ppid == server and b"ipython_oidc_client._keeper" in argv:
            return int(proc.name)
    raise RuntimeError("no token keeper runs under the JupyterLab server (it starts at the first sign-in)")


def _socket(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    return argv[argv.index("--socket") + 1]


def _ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12])  # utime, stime (proc(5): fields 14 and 15)


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            out[key] = int(value.split()[0])  # kB (KiB), or a count
    return out


def _switches(pid: int) -> dict[str, int]:
    """Context switches (voluntary and not) of each thread, by thread id."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            lines = (task / "status").read_text().splitlines()
        except OSError:
            continue  # a thread that ended meanwhile
        out[task.name] = sum(
            int(line.split()[1]) for line in lines if line.startswith(("voluntary_ctxt", "nonvol"))
        )
    return out


def _woke(before: dict[str, int], after: dict[str, int]) -> str:
    """Wake-ups of the threads alive throughout, and how many threads came or went."""
    kept = before.keys() & after.keys()
    woke = sum(after[t] - before[t] for t in kept)
    churn = len(before.keys() ^ after.keys())
    return f"{woke} context switches of its {len(kept)} threads alive throughout ({churn} came or went)"


def _pss(pid: int) -> str:
    """The proportional set size: shared pages (libpython, libcrypto…) split among their users."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return f"PSS {_mb(int(line.split()[1]))}"
    except OSError:
        pass
    return "PSS not readable"


def _mb(kib: float) -> str:
    return f"{kib * 1024 / MB:.1f} MB"


def _mappings(pid: int) -> str:
    """The keeper's resident set by what is mapped: anonymous memory, and each file (libpython, the
    extension modules it loaded, libcrypto…)."""
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError as err:
        return f"not readable ({type(err).__name__}: the keeper is not dumpable; root can read it)"
    rss: dict[str, int] = defaultdict(int)
    name = ANONYMOUS
    for line in text.splitlines():
        head = line.split()
        if head and "-" in head[0] and ":" not in head[0]:  # a mapping's first line: address range first
            path = head[5] if len(head) > 5 else ""
            name = Path(path).name if path.startswith("/") else ANONYMOUS
        elif line.startswith("Rss:"):
            rss[name] += int(head[1])
    top = sorted(rss.items(), key=lambda kv: -kv[1])[:7]
    return ", ".join(f"{n} {_mb(kib)}" for n, kib in top)


# What the keeper loads, stage by stage, in fresh interpreters (as `python -m` starts it): first the
# standard library that its modules pull in as it starts, one top-level module after another, then its
# own modules, then urllib's HTTP client (at the first request to a provider), then PyJWT with
# cryptography (the ID token's signature, at the first redeem).
KEEPER_MODULES = "ipython_oidc_client._keeper.__main__"
LIST_IMPORTS = f"""
import json, sys
before = set(sys.modules)
import {KEEPER_MODULES}
print(json.dumps([m for m in sys.modules if m not in before and not m.startswith("ipython_oidc_client")]))
"""
STAGES = f"""
import importlib, json, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
out = [("interpreter", rss())]
for name in json.loads(sys.argv[1]):
    if name.split(".")[0] not in sys.modules:
        importlib.import_module(name.split(".")[0])
        out.append(("std:" + name.split(".")[0], rss()))
import {KEEPER_MODULES}
out.append(("the package's own modules", rss()))
import urllib.request, http.client, ssl
out.append(("urllib (its HTTP client)", rss()))
import jwt, jwt.algorithms
out.append(("PyJWT + cryptography (ID token checks)", rss()))
print(json.dumps(out))
"""


def _python(code: str, *args: str) -> Any:
    with tempfile.TemporaryDirectory() as cwd:  # not the checkout: the installed package
        out = subprocess.run(  # noqa: S603 - our own interpreter, our own code
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            cwd=cwd,
        )
    return json.loads(out.stdout)


def _imports() -> tuple[str, int]:
    """What the keeper's imports hold, stage by stage, and their sum (kB)."""
    stages = [(str(name), int(kib)) for name, kib in _python(STAGES, json.dumps(_python(LIST_IMPORTS)))]
    grown = [(name, kib - prev) for (name, kib), (_, prev) in zip(stages[1:], stages)]
    std = sorted(((n[4:], d) for n, d in grown if n.startswith("std:")), key=lambda nd: -nd[1])
    rest = [(n, d) for n, d in grown if not n.startswith("std:")]
    parts = [f"interpreter {_mb(stages[0][1])}"]
    top = ", ".join(f"{n} {_mb(d)}" for n, d in std[:4])
    more = f", {len(std) - 4} more" if len(std) > 4 else ""
    parts.append(f"+ the standard library its modules pull in {_mb(sum(d for _, d in std))} ({top}{more})")
    parts += [f"+ {name} {_mb(d)}" for name, d in rest]
    return "; ".join(parts), stages[-1][1]


def _settle(pid: int, page: Page, quiet: float = 1.0, timeout: float = 20.0) -> bool:
    """Wait until the keeper has used no CPU time for ``quiet`` seconds (the last sign-in's work is
    done); False when it did not come to rest within ``timeout``."""
    deadline = time.monotonic() + timeout
    last, since = _ticks(pid), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)  # a condition polled with a deadline; Playwright runs meanwhile
        now = _ticks(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
    return False


def rows(env: Env, sessions: int, idle: float) -> list[Row]:
    env.ensure_provider_session()  # the server starts its keeper with its first sign-in
    pid = keeper_pid(env.lab)
    path = _socket(pid)
    held = int(call("ping", path=path, timeout=10)["sessions"])
    first = _status(pid)
    labels = [f"kept{i:02d}" for i in range(sessions)]
    ctx = env.new_context()
    nb = env.open(ctx, env.notebook([cell(label, env.config(label)) for label in labels]))
    for index, label in enumerate(labels, start=1):
        press_run(nb, index)
        report = env.report(label, nb.page)
        if not report["has_token"]:
            raise RuntimeError(f"sign-in {label} failed in the page: {report['error']}")
        wait_popups_closed(ctx, nb.page)
    live = int(call("ping", path=path, timeout=10)["sessions"])
    log(
        f"{sessions} sign-ins done; the keeper holds {live} live sessions; "
        f"watching it at rest for {idle:.0f} s"
    )
    settled = _settle(pid, nb.page)
    rss: list[float] = []
    ticks, switches, started = _ticks(pid), _switches(pid), time.monotonic()
    while time.monotonic() - started < idle:
        nb.page.wait_for_timeout(1000)  # one sample a second; Playwright runs the page meanwhile
        rss.append(_status(pid)["VmRSS"] * 1024 / MB)
    window = time.monotonic() - started
    used = _ticks(pid) - ticks
    woke = _woke(switches, _switches(pid))
    end = _status(pid)
    mappings = _mappings(pid)
    pss = _pss(pid)
    env.done(ctx)
    cpu = used / TICK / window * 100
    steps, imports = _imports()
    state = (
        f"{_mb(first['VmRSS'])} before these sign-ins ({held} live then); its imports (below) are all "
        f"but {_mb(end['VmRSS'] - imports)} of it"
    )
    what = (
        f"{sessions} sessions signed in through the real page (a popup each, a config of its own session "
        f"key each, the provider's session live), their widgets left in the page: the kernel follows "
        f"every one at the keeper, the page watches them with its one long poll; {live} live at the "
        "keeper (its ping), the warm-up sign-in and any earlier section's included"
    )
    rested = "" if settled else " (it did not come to rest within 20 s before the window)"
    return [
        Row(
            f"token keeper at rest, {live} live sessions: CPU",
            f"{cpu:.2f} % of one core ({used} ticks of {1000 / TICK:.0f} ms in {window:.1f} s){rested}; "
            f"{woke}",
            "≈ 0 (≤ 0.1 %)",
            cpu <= 0.1,
            f"{what}; then, once it used no CPU for 1 s, utime + stime of /proc/<pid>/stat over the "
            f"window (threads that ended included), and the context switches of its threads "
            "(/proc/<pid>/task/*/status) as a count of wake-ups.",
        ),
        Row(
            f"token keeper at rest, {live} live sessions: resident memory (VmRSS)",
            f"{spread(rss, lambda v: f'{v:.1f} MB')}; peak (VmHWM) {_mb(end['VmHWM'])}, {pss}, "
            f"{end['Threads']} threads; {state}",
            "≤ 40 MB",
            bool(rss) and median(rss) <= 40,
            "VmRSS of /proc/<pid>/status sampled each second of the same window (PSS: smaps_rollup at its "
            f"end, shared pages split among the processes that map them); 1 MB = 10^6 bytes. {what}.",
        ),
        Row(
            "token keeper: what its memory is made of",
            f"resident, by mapping: {mappings}. Its imports, in a fresh interpreter: {steps} "
            f"(= {_mb(imports)})",
            how="/proc/<pid>/smaps of the keeper at the end of the window (Rss per mapped file, anonymous "
            "memory together); then `python -c` importing what the keeper imports, stage by stage, "
            "VmRSS after each (the same interpreter and site-packages).",
        ),
    ]
