"""The machine a run happened on, for the table's head: figures from a busy 2-core VM and from a
quiet workstation must not be compared without saying so."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tests.e2e._stack import PROVIDER_DIR

PACKAGES = [
    "ipython_oidc_client",
    "jupyterlab",
    "jupyter_server",
    "ipykernel",
    "ipywidgets",
    "anywidget",
    "playwright",
]


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":" if ":" in line else "=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def _versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    try:
        pkg = json.loads((PROVIDER_DIR / "node_modules/oidc-provider/package.json").read_text())
        found.append(f"oidc-provider {pkg['version']}")
    except (OSError, ValueError, KeyError):
        pass
    return ", ".join(found)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def describe(chromium: str) -> list[tuple[str, str]]:
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    except OSError:
        node = "?"
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return [
        ("CPU", _first("/proc/cpuinfo", "model name")),
        ("cores", f"{usable} usable of {cores}"),
        ("memory", f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "?"),
        ("OS", f"{_first('/etc/os-release', 'PRETTY_NAME')}, Linux {platform.release()}"),
        ("Python", platform.python_version()),
        ("Chromium", chromium),
        ("Node.js", node.strip() or "?"),
        ("packages", _versions()),
        ("load average at start", load()),
    ]
