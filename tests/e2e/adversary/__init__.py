"""An adversarial OpenID provider of the tests' own (server.py), in a process group of its own on a
free port of 127.0.0.1: one issuer per case, ``<base>/c/<case>``."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .._procs import Server, free_port

SERVER = Path(__file__).parent / "server.py"
CLIENT_ID = "adversary-client"


@dataclass
class Adversary:
    server: Server
    base: str

    def issuer(self, case: str) -> str:
        return f"{self.base}/c/{case}"

    def config(self, case: str) -> dict[str, str]:
        """What a notebook passes to authenticate() to sign in at this case's provider."""
        return {"authority": self.issuer(case), "client_id": CLIENT_ID, "scope": "openid"}

    def stats(self, case: str) -> dict[str, Any]:
        """What the case's provider was asked so far: counts per endpoint (``authorize``, ``token``,
        ``refresh``, ``jwks``, ``userinfo``, ``discovery``) and, for ``coop``, ``opener_cut``."""
        r = requests.get(f"{self.base}/_stats", timeout=10)
        r.raise_for_status()
        return dict(r.json()[case])

    def unclean_log_lines(self) -> list[str]:
        """Lines of the adversary's log other than its start line and "METHOD /path STATUS": a query
        string, a form or a body there could hold a code, a state or a token."""
        allowed = re.compile(
            r"^(adversary listening on http://127\.0\.0\.1:\d+|(GET|POST|OPTIONS) /[^?#\s]* \d{3})$"
        )
        return [line for line in self.server.log().splitlines() if not allowed.match(line)]


def start_adversary(
    workdir: Path, notebook_url: str | None, access_token_ttl: int = 3600, native: bool = False
) -> Adversary:
    """``notebook_url``: the Jupyter server's URL; its origin may call the token endpoint (CORS) and
    redirect URIs under it are accepted (None: no notebook, tests/native). ``native``: the client is
    also a native app, with loopback redirect URIs on any port (RFC 8252 §7.3) and the device grant
    (RFC 8628), for the sign-ins without a notebook frontend."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    parts = urlsplit(notebook_url or "")
    config = {
        "port": port,
        "client_id": CLIENT_ID,
        "redirect_prefixes": [notebook_url] if notebook_url else [],
        "origins": [f"{parts.scheme}://{parts.netloc}"] if notebook_url else [],
        "access_token_ttl": access_token_ttl,
        "native": native,
    }
    config_path = workdir / "adversary.json"
    config_path.write_text(json.dumps(config))
    server = Server("adversary", [sys.executable, str(SERVER), str(config_path)], workdir / "adversary.log")
    server.wait_until(lambda: "adversary listening on" in server.log(), timeout=30)
    return Adversary(server, f"http://127.0.0.1:{port}")
