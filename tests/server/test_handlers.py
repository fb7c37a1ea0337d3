"""The callback page and its script, served by the extension under the server's base URL."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPResponse

import ipython_oidc_client
from ipython_oidc_client.server.extension import OidcExtension

Fetch = Callable[..., Awaitable[HTTPResponse]]
ROOT = Path(__file__).resolve().parents[2]
PAGES = ["oidc/redirect.html", "redirect.html"]


def assert_no_store(response: HTTPResponse) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("page", PAGES)
async def test_callback_page_is_served_uncached_under_a_strict_csp(
    jp_fetch: Fetch, jp_base_url: str, page: str
) -> None:
    response = await jp_fetch(page)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert_no_store(response)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    # Only the page's own script tag runs: its nonce, and its content pinned by SRI; not 'self'.
    nonce = re.search(r"script-src 'nonce-([A-Za-z0-9_-]{20,})'(;|$)", csp)
    assert nonce, csp
    assert "'self'" not in csp.split("script-src")[1].split(";")[0]
    # It may fetch from this server only: it hands the answer to the keeper (POST oidc/redeem).
    assert re.search(r"(^|; )connect-src 'self'(;|$)", csp), csp
    assert "report-uri" not in csp
    body = response.body.decode()
    script = re.escape(f"{jp_base_url}static/ipython_oidc_client/callback.js")
    tag = re.search(
        rf'<script src="{script}\?v=[0-9a-f]+" nonce="([^"]+)" integrity="([^"]+)"></script>', body
    )
    assert tag and tag.group(1) == nonce.group(1)
    served = (await jp_fetch("static/ipython_oidc_client/callback.js")).body
    assert tag.group(2) == "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()
    # A new nonce for every response.
    again = (await jp_fetch(page)).headers["Content-Security-Policy"]
    assert nonce.group(1) not in again


async def test_callback_script_is_served_as_a_static_file(jp_fetch: Fetch) -> None:
    response = await jp_fetch("static/ipython_oidc_client/callback.js")
    assert response.code == 200
    assert "javascript" in response.headers["Content-Type"]
    assert b"postMessage" in response.body


async def test_callback_script_version_changes_with_its_content(jp_fetch: Fetch) -> None:
    page = (await jp_fetch("oidc/redirect.html")).body.decode()
    script = (await jp_fetch("static/ipython_oidc_client/callback.js")).body
    version = re.search(r"callback\.js\?v=([0-9a-f]+)", page)
    assert version and hashlib.sha256(script).hexdigest().startswith(version.group(1))


@pytest.mark.parametrize("page", PAGES)
async def test_callback_page_without_a_jupyter_login_is_refused_without_passing_the_code_on(
    http_server_client: Any, jp_base_url: str, page: str
) -> None:
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, page) + "?code=c0de&state=s7a7e",
        follow_redirects=False,
        raise_error=False,
    )
    # No redirect to the login page: its ?next= would carry the code and state along.
    assert response.code == 403
    assert "Location" not in response.headers
    body = response.body.decode()
    assert "Log in to Jupyter again" in body
    assert "c0de" not in body and "s7a7e" not in body


@pytest.mark.parametrize("script", ["callback.js", "widget.js", "loader.js"])
async def test_scripts_are_public_code_served_without_a_login(
    http_server_client: Any, jp_base_url: str, script: str
) -> None:
    # Public code, like the server's other static files: no login and, under JupyterHub >= 4.1,
    # no XSRF token needed to load them (a module import or a <script src> cannot send one).
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "static/ipython_oidc_client", script), raise_error=False
    )
    assert response.code == 200 and response.body.strip()


def test_extension_point_names_the_module_and_app() -> None:
    assert ipython_oidc_client._jupyter_server_extension_points() == [
        {"module": "ipython_oidc_client", "app": OidcExtension}
    ]


def test_wheel_config_file_enables_the_extension() -> None:
    tomllib = pytest.importorskip("tomllib")
    shared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]
    source = "jupyter-config/jupyter_server_config.d"
    assert shared["wheel"]["shared-data"][source] == "etc/jupyter/jupyter_server_config.d"
    enabled = json.loads((ROOT / source / "ipython_oidc_client.json").read_text())
    assert enabled == {"ServerApp": {"jpserver_extensions": {"ipython_oidc_client": True}}}
