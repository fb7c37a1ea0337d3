"""The administrator's image (Dockerfile), run as it ships: a user signs in from a notebook with a
provider that the administrator put in the registry file, in Chromium, and the token works at the
provider's userinfo endpoint. The image runs Jupyter as an ordinary user, holds no Node.js, and has
the package in its system Python."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from pathlib import Path

from e2e._page import NotebookPage, sign_in
from e2e._procs import free_port
from e2e._stack import start_provider
from playwright.sync_api import BrowserContext

from ._containers import REGISTRY_PATH, exec_in, jupyter_container, put_notebook
from ._engine import Engine

CLIENT_ID = "notebooks"
PROVIDER_NAME = "test-idp"


def _cells(issuer: str) -> list[str]:
    return [
        # By name: the settings come from the administrator's registry file, not from the notebook.
        "import os, shutil, sys\nfrom ipython_oidc_client import authenticate\ntoken = {}\n"
        f"s = authenticate({PROVIDER_NAME!r}, token)",
        # The token may reach the kernel just after this cell starts: wait for it, with a deadline.
        "import asyncio, json, urllib.request\n"
        "for _ in range(200):\n    if 'access_token' in token: break\n    await asyncio.sleep(0.05)\n"
        f"req = urllib.request.Request('{issuer}/me', "
        "headers={'Authorization': 'Bearer ' + token['access_token']})\n"
        "with urllib.request.urlopen(req, timeout=10) as r:\n"
        "    print('userinfo', r.status, json.load(r)['sub'])\n"
        "import ipython_oidc_client\n"
        "print('uid', os.getuid(), 'python', sys.executable, 'node', shutil.which('node'))\n"
        "print('package', ipython_oidc_client.__file__)",
    ]


def test_admin_image_signs_in_with_the_registry_mounted(
    docker_engine: Engine, admin_image: str, context: BrowserContext, tmp_path: Path
) -> None:
    port = free_port()
    token = secrets.token_hex(16)
    redirect_uri = f"http://127.0.0.1:{port}/oidc/redirect.html"
    provider = start_provider(tmp_path, [{"client_id": CLIENT_ID, "redirect_uris": [redirect_uri]}])
    try:
        # The registry file, where an administrator mounts it; the entry is checked at start.
        registry = tmp_path / "providers.json"
        entry = {"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"}
        registry.write_text(json.dumps({"OidcExtension": {"providers": {PROVIDER_NAME: entry}}}))
        registry.chmod(0o644)  # read by the container's user
        volume = f"{registry}:{REGISTRY_PATH}:ro"
        with jupyter_container(docker_engine, admin_image, tmp_path / "jupyter", port, token, [volume]) as (
            lab,
            server,
            container,
        ):
            # Installed for everyone, run by no one special.
            assert exec_in(docker_engine, container, "id", "-u").stdout.strip() == "1000"
            which = exec_in(docker_engine, container, "sh", "-c", "command -v node nodejs npm")
            assert which.returncode != 0 and not which.stdout.strip(), f"Node.js in the image: {which.stdout}"
            imported = exec_in(
                docker_engine,
                container,
                "/usr/bin/python3",
                "-c",
                "import ipython_oidc_client as m; print(m.__file__)",
            )
            assert imported.stdout.startswith("/usr/local/lib/python3"), imported.stdout + imported.stderr
            listed = exec_in(docker_engine, container, "jupyter", "server", "extension", "list")
            assert re.search(r"ipython_oidc_client\s+enabled", listed.stdout + listed.stderr), listed.stderr

            name = f"admin-{uuid.uuid4().hex[:8]}.ipynb"
            put_notebook(lab, name, _cells(provider.issuer))
            nb = NotebookPage(context, lab, name, "lab")
            with nb.page.expect_popup() as popup_info:
                nb.run(0)
            popup = popup_info.value
            sign_in(popup, "alice")
            # The window closes itself once it has handed the answer over, which can be before
            # Playwright is asked to wait for it: then it is closed already.
            if not popup.is_closed():
                popup.wait_for_event("close", timeout=20_000)
            text = nb.wait_status("signed_in")
            assert "Signed in as Alice Example" in text, text

            out = nb.run_and_wait(1, "package")
            assert "userinfo 200 alice" in out, out
            assert re.search(r"uid 1000 python /usr/bin/python3", out), out
            assert "node None" in out, out
            assert "package /usr/local/lib/python3" in out, out

            # Neither the Jupyter token nor anything the provider issued is in the container's log.
            log = server.log()
            assert f"ipython_oidc_client: providers {PROVIDER_NAME}" in log, "the registry file was not read"
            issued = [
                entry[key]
                for entry in provider.issued()
                for key in ("code", "access_token", "refresh_token", "id_token")
                if entry.get(key)
            ]
            assert issued, "the provider issued nothing"
            for secret in [token, *issued]:
                assert secret not in log
            assert not [e for e in nb.errors if "oidc" in e.lower()], nb.errors
    finally:
        provider.server.stop()
