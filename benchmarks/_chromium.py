"""Debian's Chromium, started by us in its own process group (so that it is stopped by its pid
whatever happens) and driven by Playwright over CDP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.e2e._procs import Server, free_port
from tests.e2e._stack import CHROMIUM, CHROMIUM_ARGS

# Playwright's own launch adds these; without them a page in a background tab has its timers
# throttled, and two pages measured side by side would not run alike. Popups are allowed as
# under Playwright: 19 of 20 simultaneous sign-ins start without a user gesture.
EXTRA_ARGS = [
    "--headless",
    "--disable-popup-blocking",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-dev-shm-usage",
    "--no-default-browser-check",
    "--password-store=basic",
]


def start_chromium(workdir: Path) -> tuple[Server, str]:
    """Return the server and its CDP endpoint."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"No Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM).")
    port = free_port()
    argv = [
        CHROMIUM,
        *CHROMIUM_ARGS,
        *EXTRA_ARGS,
        f"--remote-debugging-port={port}",
        f"--user-data-dir={workdir / 'chromium-profile'}",
        "about:blank",
    ]
    server = Server("chromium", argv, workdir / "chromium.log")
    endpoint = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return requests.get(f"{endpoint}/json/version", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    server.wait_until(ready, timeout=60)
    return server, endpoint
