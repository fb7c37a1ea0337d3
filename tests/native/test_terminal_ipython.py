"""Terminal IPython (``ipython`` on a pseudo-terminal, driven by pexpect) signs in by device grant."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import LINK, approve_device, script_env

PROMPT = r"In \[\d+\]: "


@pytest.fixture
def ipython(provider: Provider, tmp_path: Path) -> Iterator[pexpect.spawn]:
    env = script_env(provider, "device", IPYTHONDIR=str(tmp_path / "ipython"), TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "IPython",
            "--simple-prompt",
            "--no-banner",
            "--colors=NoColor",
            "--HistoryManager.enabled=False",
        ],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 400),  # no wrapping of the printed link
    )
    try:
        child.expect(PROMPT)
        yield child
    finally:
        helpers = []
        if child.isalive():
            task = Path(f"/proc/{child.pid}/task/{child.pid}/children")
            helpers = [int(p) for p in task.read_text().split()] if task.exists() else []
        child.close(force=True)  # SIGHUP, then SIGKILL to its pid
        for pid in helpers:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def run(child: pexpect.spawn, line: str) -> str:
    child.sendline(line)
    child.expect(PROMPT)
    return str(child.before)


def test_terminal_ipython_signs_in_by_device_grant(ipython: pexpect.spawn, context: BrowserContext) -> None:
    run(ipython, "import json, os, requests; from ipython_oidc_client import authenticate")
    run(ipython, "from ipython_oidc_client._native import has_frontend")
    assert "False" in run(ipython, "has_frontend()")
    ipython.sendline('token = authenticate(json.loads(os.environ["NATIVE_TEST_CONFIG"]), timeout=60).token')
    ipython.expect(LINK.pattern)
    approve_device(context, ipython.match.group(1))
    ipython.expect(PROMPT)
    assert "Out[" in run(ipython, 'requests.get(os.environ["NATIVE_TEST_USERINFO"], auth=token).status_code')
    assert "200" in str(ipython.before)
    shown = run(ipython, "token")
    assert "Token({'access_token':" in shown and "chars)" in shown  # masked
    ipython.sendline("exit")
    ipython.expect(pexpect.EOF)
