"""A real JupyterHub on 127.0.0.1 for the end-to-end tests: DummyAuthenticator (any name, any
password), SimpleLocalProcessSpawner (single-user servers as this user, homes in a temp dir), and
configurable-http-proxy from npm (pinned by tests/e2e/hub/package-lock.json)."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from ._procs import Server, free_port

CHP = Path(__file__).parent / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"


@dataclass
class Hub:
    server: Server
    url: str  # http://127.0.0.1:port/
    homes: Path
    #: On every single-user server's config path (c.Spawner.environment): where the admin's
    #: jupyter_server_config.d files go (tests/e2e/_stack.write_registry).
    config_dir: Path

    def user_redirect_uri(self) -> str:
        """The one redirect URI to register for every user (docs/architecture.md)."""
        return f"{self.url}hub/user-redirect/oidc/redirect.html"

    def home(self, user: str) -> Path:
        path = self.homes / user
        path.mkdir(parents=True, exist_ok=True)
        return path


def start_hub(workdir: Path) -> Hub:
    if not CHP.exists():
        raise RuntimeError(
            f"configurable-http-proxy is not installed: run `npm ci --prefix {CHP.parents[2]}`."
        )
    port, hub_port, api_port = free_port(), free_port(), free_port()
    homes = workdir / "homes"
    homes.mkdir(parents=True, exist_ok=True)
    config_dir = workdir / "singleuser-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    config = workdir / "jupyterhub_config.py"
    config.write_text(
        f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.db_url = "sqlite:///{workdir}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/cookie_secret"
c.JupyterHub.pid_file = "{workdir}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--allow-root", "--ServerApp.log_level=DEBUG", "--OidcExtension.log_level=DEBUG"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": "{config_dir}"}}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 60
"""
    )
    env = {**os.environ, "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16), "HOME": str(workdir)}
    argv = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    server = Server("jupyterhub", argv, workdir / "hub.log", env=env, cwd=workdir)
    url = f"http://127.0.0.1:{port}/"

    def ready() -> bool:
        try:
            return requests.get(f"{url}hub/api/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    server.wait_until(ready, timeout=90)
    return Hub(server, url, homes, config_dir)
