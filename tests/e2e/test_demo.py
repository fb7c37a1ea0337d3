"""The README's demo command brings up a notebook where a person can sign in."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext

from ._page import NotebookPage, sign_in
from ._procs import Server, free_port
from ._stack import Lab

ROOT = Path(__file__).resolve().parents[2]


def test_demo_serves_a_notebook_that_signs_in(context: BrowserContext, tmp_path: Path) -> None:
    port, idp_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "IDP_PORT": str(idp_port),
        "PYTHON": sys.executable,
        "DEMO_SKIP_INSTALL": "1",  # the test command has installed everything already
        "HOME": str(tmp_path),
    }
    demo = Server("demo", ["bash", str(ROOT / "demo" / "run.sh")], tmp_path / "demo.log", env=env)
    try:
        demo.wait_until(lambda: "Open this URL:" in demo.log(), timeout=90)
        url = re.search(r"Open this URL:\s+(\S+)", demo.log())
        assert url, demo.log()
        match = re.fullmatch(r"(http://127\.0\.0\.1:\d+/)lab/tree/(\S+)\?token=(\w+)", url.group(1))
        assert match, url.group(1)
        lab = Lab(demo, match.group(1), match.group(3), tmp_path)
        nb = NotebookPage(context, lab, match.group(2))
        with nb.page.expect_popup() as popup_info:
            nb.run(1)  # the first code cell, after the introduction
        sign_in(popup_info.value, "bob")
        assert "Signed in as Bob Example" in nb.wait_status("signed_in", index=1)
        nb.run_and_wait(3, "bob@example.test")
    finally:
        demo.stop()
