"""Drive a sign-in without a notebook frontend from outside: a plain ``python`` process (its own
process group, stopped by pid whatever the test did), its output read line by line with deadlines,
and the user's part done in Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import requests
from e2e._page import approve_device  # noqa: F401 - the tests here import it from this module
from e2e._stack import Provider

from .conftest import NATIVE_CLIENT

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"open (\S+) in a browser")

#: The user's script: signs in, calls userinfo with the token, optionally waits for the test.
SCRIPT = """\
import json, os, sys
import requests
from ipython_oidc_client import AuthenticationError, authenticate
from ipython_oidc_client._native import has_frontend

assert not has_frontend()
config = json.loads(os.environ["NATIVE_TEST_CONFIG"])
try:
    signin = authenticate(config, flow=os.environ["NATIVE_TEST_FLOW"], timeout=60)
    token = signin.token
except AuthenticationError as err:
    print("error:", err.error, "|", err.message, flush=True)
    sys.exit(3)
print("signed-in:", token, flush=True)
print("fields:", sorted(token), flush=True)
answer = requests.get(os.environ["NATIVE_TEST_USERINFO"], auth=token, timeout=10)
print("userinfo:", answer.status_code, answer.json().get("sub"), flush=True)
if os.environ.get("NATIVE_TEST_WAIT_RENEWAL"):
    import time
    first, expires_at = token["access_token"], token["expires_at"]
    deadline = time.monotonic() + 30
    while token.get("access_token") == first and time.monotonic() < deadline:
        time.sleep(0.05)  # the helper renews in the background; a condition with a deadline
    print("renewed:", token.get("access_token") != first, token["expires_at"] > expires_at, flush=True)
    answer = requests.get(os.environ["NATIVE_TEST_USERINFO"], auth=token, timeout=10)
    print("userinfo after renewal:", answer.status_code, flush=True)
if os.environ.get("NATIVE_TEST_CALLS"):
    import time
    ok, failed, seen = 0, [], set()
    for i in range(int(os.environ["NATIVE_TEST_CALLS"])):
        answer = requests.get(os.environ["NATIVE_TEST_USERINFO"], auth=token, timeout=10)
        if answer.status_code == 200:
            ok += 1
        else:
            failed.append((i, answer.status_code))
        seen.add(hash(token["access_token"]))
        time.sleep(2)  # the user's own pace: one call every 2 s
    print("calls:", ok, "failed:", failed, "tokens:", len(seen), flush=True)
if os.environ.get("NATIVE_TEST_STEP_UP_API"):
    answer = requests.get(os.environ["NATIVE_TEST_STEP_UP_API"], auth=token, timeout=120)
    print("step-up:", answer.status_code, len(answer.history), flush=True)
if os.environ.get("NATIVE_TEST_LOGOUT"):
    from ipython_oidc_client import logout
    logout(signin)
    print("logged-out:", sorted(token), signin.status, flush=True)
if os.environ.get("NATIVE_TEST_HOLD"):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def config_for(provider: Provider, client_id: str = NATIVE_CLIENT) -> dict[str, str]:
    return {"authority": provider.issuer, "client_id": client_id, "scope": "openid profile"}


def userinfo_endpoint(provider: Provider) -> str:
    metadata = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    return str(metadata["userinfo_endpoint"])


def script_env(provider: Provider, flow: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NATIVE_TEST_CONFIG": json.dumps(config_for(provider)),
        "NATIVE_TEST_FLOW": flow,
        "NATIVE_TEST_USERINFO": userinfo_endpoint(provider),
        **extra,
    }
    env.pop("BROWSER", None)
    env.update({k: v for k, v in extra.items() if k == "BROWSER"})
    return env


class Script:
    """A ``python`` process in its own process group, its stdout and stderr collected by threads."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
            start_new_session=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @classmethod
    def python(cls, tmp: Path, env: dict[str, str]) -> Script:
        path = tmp / "user_script.py"
        path.write_text(SCRIPT)
        return cls([sys.executable, str(path)], env, tmp)

    def _collect(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, found: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not found():
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not found()):
                    # One last look after the process ended: its last lines may still be coming.
                    self._changed.wait(0.5)
                    if found():
                        return
                    raise AssertionError(f"no {what}; stdout: {self.out}, stderr: {self.err}")
                self._changed.wait(left)

    def line(self, prefix: str, timeout: float = 60.0) -> str:
        def match() -> str | None:
            return next((line for line in self.out if line.startswith(prefix)), None)

        self.wait_for(lambda: match() is not None, f"line starting {prefix!r}", timeout)
        line = match()
        assert line is not None
        return line

    def link(self, timeout: float = 60.0) -> str:
        self.wait_for(lambda: any(LINK.search(line) for line in self.out), "sign-in link", timeout)
        found = next(m for m in map(LINK.search, self.out) if m)
        return found.group(1)

    def children(self) -> list[int]:
        pids: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def wait(self, timeout: float = 30.0) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop the process group by its pid (and the helper, in a session of its own)."""
        helpers = self.children() if self.proc.poll() is None else []
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        for pid in helpers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())
