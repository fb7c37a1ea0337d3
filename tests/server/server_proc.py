"""A real ``jupyter server`` in a process of its own, configured as an administrator would: for the
tests of what happens when the server starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TOKEN = "registry-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    tmp_path: Path,
    entries: dict[str, Any],
    *more: tuple[str, dict[str, Any] | str],
    port: int = 0,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[str], Path]:
    """A real `jupyter server` whose config is what an admin drops into jupyter_server_config.d
    (and, in ``more``, other files of the config directory: JSON, or text as it is)."""
    conf = tmp_path / "etc" / "jupyter_server_config.d"
    conf.mkdir(parents=True)
    (conf / "ipython_oidc_client_providers.json").write_text(json.dumps({"OidcExtension": entries}))
    for name, content in more:
        (tmp_path / "etc" / name).write_text(content if isinstance(content, str) else json.dumps(content))
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        **(env or {}),
        "HOME": str(tmp_path),
        "JUPYTER_CONFIG_PATH": str(tmp_path / "etc"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    argv = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={tmp_path}",
        "--allow-root",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, text=True, start_new_session=True
        )
    return proc, log


def wait_for(proc: subprocess.Popen[str], log: Path, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = log.read_text()
        if text in seen or proc.poll() is not None:
            return seen
        time.sleep(0.1)  # polling a condition with a deadline
    return log.read_text()


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
