"""Figures that need no browser: what the page downloads (gzip sizes of the served scripts) and
what `import ipython_oidc_client` costs a kernel (fresh interpreters, against ipywidgets)."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import tempfile

import requests

from tests.e2e._stack import Lab

from ._report import Row, median, ms, ratio, spread

KB = 1000  # bytes; the smaller unit, so a "KB" target is not met by rounding


def _gz(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9))


# The widget's JavaScript before the token keeper (benchmarks/results.md at commit 7ecfbb0): the
# widget's module (widget.js + shared.js) 8.1 KB, the sign-in engine (engine.js: oidc-client-ts,
# jose) 22.1 KB, loader.js 0.9 KB, callback.js 0.8 KB, each gzipped on its own.
BEFORE = {"widget.js + shared.js": 8.1, "engine.js": 22.1, "loader.js": 0.9, "callback.js": 0.8}


def size_rows(lab: Lab) -> list[Row]:
    auth = {"Authorization": f"token {lab.token}"}

    def get(path: str) -> bytes:
        r = requests.get(lab.url + path, headers=auth, timeout=10)
        r.raise_for_status()
        return r.content

    static = "static/ipython_oidc_client/"
    widget, loader, callback = (get(static + f) for f in ("widget.js", "loader.js", "callback.js"))
    css = get(static + "widget.css")
    page = get("oidc/redirect.html")
    how = "bytes as served by the running server, gzip level 9 (Python's gzip); 1 KB = 1000 bytes."
    wgz, lgz, cgz = _gz(widget), _gz(loader), _gz(callback)
    total = wgz + lgz + cgz
    before = sum(BEFORE.values())
    was = ", ".join(f"{k} {v:.1f}" for k, v in BEFORE.items())
    return [
        Row(
            "widget.js (the widget's module, all of its sign-in logic), gzipped",
            f"{wgz / KB:.1f} KB ({len(widget) / KB:.1f} KB raw); before the keeper widget + engine "
            f"{BEFORE['widget.js + shared.js'] + BEFORE['engine.js']:.1f} KB",
            "≤ 20 KB",
            wgz <= 20 * KB,
            f"{{base_url}}{static}widget.js, loaded once per page; it replaces widget.js + shared.js + "
            f"engine.js (oidc-client-ts, jose) of the design before the token keeper. {how}",
        ),
        Row(
            "the widget's JavaScript: widget.js + loader.js + callback.js, gzipped",
            f"{total / KB:.1f} KB ({wgz / KB:.1f} + {lgz / KB:.1f} + {cgz / KB:.1f}); before {before:.1f} KB "
            f"({was}): {total / KB - before:+.1f} KB",
            f"shrinks (< {before:.1f} KB)",
            total < before * KB,
            "every script of the widget that a page or its popup runs, each gzipped on its own: the module, "
            "the loader each widget's comm_open carries, the callback page's script; against the same "
            f"scripts before the token keeper (benchmarks/results.md of commit 7ecfbb0). {how}",
        ),
        Row(
            "loader.js (each widget's comm_open carries it), gzipped",
            f"{lgz / KB:.1f} KB ({len(loader) / KB:.1f} KB raw)",
            how="the OidcWidget._esm that loads widget.js from the server once per page; " + how,
        ),
        Row("widget.css, gzipped", f"{_gz(css) / KB:.1f} KB ({len(css) / KB:.1f} KB raw)", how=how),
        Row(
            "callback page + callback.js, gzipped",
            f"{(_gz(page) + cgz) / KB:.1f} KB ({_gz(page) / KB:.1f} + {cgz / KB:.1f}; "
            f"{(len(page) + len(callback)) / KB:.1f} KB raw)",
            how=f"{{base_url}}oidc/redirect.html (logged in) and its script, each gzipped on its own; {how}",
        ),
    ]


def _import_seconds(module: str, cwd: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run(  # noqa: S603 - our own interpreter; `module` is one of two names above
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120, cwd=cwd
    )
    return float(out.stdout.split()[-1])


def _breakdown(cwd: str) -> str:
    """What `import ipython_oidc_client` adds once ipywidgets is loaded (python -X importtime)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ipywidgets; import ipython_oidc_client"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=cwd,
    ).stderr.splitlines()
    after = next(i for i, line in enumerate(out) if re.search(r"\|\s?ipywidgets$", line)) + 1
    rows = []  # (cumulative µs, depth, name), in the order printed: a module after its imports
    for line in out[after:]:
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)$", line)
        if m:
            rows.append((int(m.group(1)), len(m.group(2)), m.group(3)))
    # The external modules that the package's own modules import directly: the first line after
    # each module with a smaller depth is the module that imported it.
    ours = "ipython_oidc_client"
    direct = []
    for i, (us, depth, name) in enumerate(rows):
        parent = next((n for _, d, n in rows[i + 1 :] if d < depth), "")
        if parent.split(".")[0] == ours and name.split(".")[0] != ours:
            direct.append((us, name))
    total = next((us for us, _, name in rows if name == ours), 0)
    top = ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in sorted(direct, reverse=True)[:4])
    return f"{total / 1000:.0f} ms in all, of which {top}"


def import_rows(runs: int) -> list[Row]:
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as cwd:  # not the checkout: import the installed package
        for module in ("ipython_oidc_client", "ipywidgets"):
            _import_seconds(module, cwd)  # warm the .pyc and page caches, not counted
        for _ in range(runs):  # alternating, so that load on the machine hits both alike
            ours.append(_import_seconds("ipython_oidc_client", cwd))
            theirs.append(_import_seconds("ipywidgets", cwd))
        extra = _breakdown(cwd)
    pairs = [a / b for a, b in zip(ours, theirs)]
    r = median(ours) / median(theirs)
    return [
        Row(
            "import ipython_oidc_client vs import ipywidgets",
            f"{spread(ours, ms)} vs {spread(theirs, ms)}: {ratio(r)} (per pair {spread(pairs, ratio)})",
            "≤ 1.10×",
            r <= 1.10,
            "time.perf_counter() around the import statement inside a fresh `python -c` (interpreter "
            "start-up excluded), .pyc caches warm, runs alternating; ratio of medians. The package once "
            f"ipywidgets is loaded (-X importtime, cumulative; its slowest outside imports): {extra}.",
        )
    ]
