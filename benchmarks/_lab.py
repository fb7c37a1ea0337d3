"""JupyterLab as a user runs it: the e2e tests' server runs at DEBUG log level, whose logging of every
request would cost the very server whose latency and throughput are measured here."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import requests

from tests.e2e._procs import Server, free_port
from tests.e2e._stack import Lab


def start_lab(workdir: Path) -> Lab:
    port = free_port()
    token = secrets.token_hex(16)
    home, root = workdir / "home", workdir / "notebooks"
    root.mkdir(parents=True, exist_ok=True)
    # A fresh HOME: JupyterLab would otherwise restore a previous workspace and its notebooks.
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_PLATFORM_DIRS", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        env.pop(var, None)
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    url = f"http://127.0.0.1:{port}/"
    server = Server("jupyter lab", argv, workdir / "jupyter.log", env=env, cwd=root)

    def ready() -> bool:
        try:
            r = requests.get(f"{url}api/status", headers={"Authorization": f"token {token}"}, timeout=2)
        except requests.RequestException:
            return False
        return r.status_code == 200

    server.wait_until(ready, timeout=90)
    return Lab(server, url, token, root)


def shutdown_kernels(lab: Lab) -> None:
    """End every notebook session of this server: kernels left running would load later figures."""
    auth = {"Authorization": f"token {lab.token}"}
    for session in requests.get(f"{lab.url}api/sessions", headers=auth, timeout=10).json():
        requests.delete(f"{lab.url}api/sessions/{session['id']}", headers=auth, timeout=30)
