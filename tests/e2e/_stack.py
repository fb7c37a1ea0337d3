"""The real parts of an end-to-end test: oidc-provider (npm), a JupyterLab server, Debian Chromium."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from ._procs import Server, free_port

PROVIDER_DIR = Path(__file__).parent / "provider"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # The provider's login page imports a web font; keep every lookup on this machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@dataclass
class Provider:
    server: Server
    issuer: str
    spy_file: Path

    def issued(self) -> list[dict[str, Any]]:
        """Every code and token the provider has issued so far (test-only spy)."""
        if not self.spy_file.exists():
            return []
        return [json.loads(line) for line in self.spy_file.read_text().splitlines() if line]


def start_provider(workdir: Path, clients: list[dict[str, Any]], **extra: Any) -> Provider:
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"oidc-provider is not installed: run `npm ci --prefix {PROVIDER_DIR}`.")
    port = free_port()
    spy = workdir / "issued.jsonl"
    config = {"port": port, "clients": clients, "spy_file": str(spy), **extra}
    config_path = workdir / "provider.json"
    config_path.write_text(json.dumps(config))
    server = Server(
        "oidc-provider",
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(config_path)],
        workdir / "provider.log",
    )
    issuer = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        return "listening on" in server.log()

    server.wait_until(ready, timeout=30)
    return Provider(server, issuer, spy)


@dataclass
class Lab:
    server: Server
    url: str  # origin + base_url, ending in "/"
    token: str
    root: Path

    def redirect_uri(self) -> str:
        return f"{self.url}oidc/redirect.html"


def unique(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with a parameter of its own: the server's keeper shares a live session with every
    sign-in of the same config (docs/keeper.md), and the labs live for the whole test session, so a
    test that must see its own sign-in window asks for a config no other test uses. The provider
    ignores the unknown parameter."""
    return {
        **config,
        "extraQueryParams": {**config.get("extraQueryParams", {}), "x_e2e": secrets.token_hex(6)},
    }


def write_registry(config_dir: Path, section: dict[str, Any]) -> Path:
    """What an administrator drops into a config directory: an OidcExtension section in a
    ``jupyter_server_config.d`` file (a global install's /etc/jupyter, an image's, JupyterHub's)."""
    path = config_dir / "jupyter_server_config.d" / "ipython_oidc_client_providers.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"OidcExtension": section}))
    return path


def start_lab(
    workdir: Path,
    base_url: str = "/",
    port: int | None = None,
    app: str = "lab",
    registry: dict[str, Any] | None = None,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Lab:
    """``registry``: an OidcExtension section, dropped into a config directory of this server's;
    ``extra_args``: more command-line options for the server; ``extra_env``: its environment's."""
    port = port or free_port()
    token = secrets.token_hex(16)
    home = workdir / "home"
    root = workdir / "notebooks"
    settings_dir = home / ".jupyter" / "lab" / "user-settings"
    settings = settings_dir / "@jupyter-widgets" / "jupyterlab-manager"
    settings.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    # Widget state saving on: the tests prove that no token reaches the saved .ipynb even then.
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        **(extra_env or {}),
    }
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_PLATFORM_DIRS", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        env.pop(var, None)
    if registry is not None:
        write_registry(workdir / "etc-jupyter", registry)
        env["JUPYTER_CONFIG_PATH"] = str(workdir / "etc-jupyter")
    argv = [sys.executable, "-m", "jupyter", app, "--allow-root", *lab_options(port, token, root, base_url)]
    argv += extra_args
    url = f"http://127.0.0.1:{port}{base_url}"
    server = start_jupyter(f"jupyter {app}", argv, workdir, env, url, token)
    return Lab(server, url, token, root)


def lab_options(port: int, token: str, root: Path, base_url: str = "/") -> list[str]:
    """The options every test's JupyterLab runs with: loopback, a fixed port and token, DEBUG logs
    (the tests read them for secrets), no calls home."""
    return [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--ServerApp.base_url={base_url}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.log_level=DEBUG",
        "--OidcExtension.log_level=DEBUG",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]


def write_notebook(path: Path, cells: list[str]) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for i, src in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))


def notebook6_python() -> Path:
    """The Python of the notebook 6 environment that tests/install.sh makes (.venv-nb6)."""
    python = Path(os.environ.get("NB6_PYTHON", Path(__file__).resolve().parents[2] / ".venv-nb6/bin/python"))
    if not python.exists():
        raise RuntimeError(f"No notebook 6 environment at {python}: run `bash tests/install.sh`.")
    return python


def start_notebook6(workdir: Path, base_url: str = "/") -> Lab:
    """`jupyter notebook` 6.5, in its own environment: it ignores --IdentityProvider.token and
    --ServerApp.root_dir (docs/architecture.md)."""
    port = free_port()
    token = secrets.token_hex(16)
    home, root = workdir / "home", workdir / "notebooks"
    home.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_PLATFORM_DIRS", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        env.pop(var, None)
    argv = [
        str(notebook6_python()),
        "-m",
        "notebook",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--NotebookApp.token={token}",
        f"--NotebookApp.base_url={base_url}",
        f"--notebook-dir={root}",
        "--NotebookApp.log_level=DEBUG",
    ]
    url = f"http://127.0.0.1:{port}{base_url}"
    server = start_jupyter("jupyter notebook 6", argv, workdir, env, url, token)
    return Lab(server, url, token, root)


def start_jupyter(
    name: str, argv: list[str], workdir: Path, env: dict[str, str], url: str, token: str
) -> Server:
    """Start a Jupyter server and wait until its REST API answers with the token."""
    server = Server(name, argv, workdir / "jupyter.log", env=env, cwd=workdir / "notebooks")

    def ready() -> bool:
        try:
            r = requests.get(f"{url}api/status", headers={"Authorization": f"token {token}"}, timeout=2)
        except requests.RequestException:
            return False
        return r.status_code == 200

    server.wait_until(ready, timeout=60)
    return server
