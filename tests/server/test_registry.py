"""The administrator's providers: read from the server's config (a ``jupyter_server_config.d`` file
included), checked when the server starts, and served to logged-in users' widgets only."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from jupyter_server.utils import url_path_join
from server_proc import TOKEN, free_port, start_server, stop, wait_for
from tornado.httpclient import HTTPResponse

Fetch = Callable[..., Awaitable[HTTPResponse]]
CORP = {"authority": "https://idp.example/realms/corp", "client_id": "notebooks", "scope": "openid profile"}
PINNED = "https://hub.example/hub/user-redirect/oidc/redirect.html"


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"ipython_oidc_client": True}},
        "OidcExtension": {
            "providers": {"corp": CORP, "lab": {"authority": "http://127.0.0.1:9000", "client_id": "x"}},
            "redirect_uri": PINNED,
        },
    }


async def test_logged_in_widgets_get_the_checked_providers_and_the_pinned_redirect_uri(
    jp_fetch: Fetch,
) -> None:
    response = await jp_fetch("oidc/providers")
    assert response.code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    assert body["providers"]["corp"] == CORP
    assert body["providers"]["lab"]["scope"] == "openid"  # checked, with the notebook defaults
    assert body["redirect_uri"] == PINNED


async def test_the_providers_are_not_served_without_a_jupyter_login(
    http_server_client: Any, jp_base_url: str
) -> None:
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "oidc/providers"), follow_redirects=False, raise_error=False
    )
    assert response.code == 403
    assert b"idp.example" not in response.body


def test_a_bad_entry_stops_the_server_naming_the_provider_and_the_key(tmp_path: Path) -> None:
    proc, log = start_server(tmp_path, {"providers": {"corp": {**CORP, "client_secret": "s3cret"}}})
    try:
        assert proc.wait(timeout=30) == 1
        seen = log.read_text()
        assert "OidcExtension.providers['corp']: Config key 'client_secret' is not accepted" in seen
        assert "Fix the configuration and start again" in seen
        assert "s3cret" not in seen
    finally:
        stop(proc)


def test_a_bad_redirect_uri_stops_the_server(tmp_path: Path) -> None:
    proc, log = start_server(tmp_path, {"redirect_uri": "http://hub.example/cb"})
    try:
        assert proc.wait(timeout=30) == 1
        assert "OidcExtension.redirect_uri: 'redirect_uri' uses plain http" in log.read_text()
    finally:
        stop(proc)


def test_drop_in_files_merge_and_the_servers_own_config_wins_per_name(tmp_path: Path) -> None:
    lab = {"authority": "https://lab-idp.example", "client_id": "lab"}
    explicit = {"authority": "https://idp.example/realms/other", "client_id": "explicit"}
    port = free_port()
    proc, log = start_server(
        tmp_path,
        {"providers": {"corp": CORP}},
        ("jupyter_server_config.d/zz-lab.json", {"OidcExtension": {"providers": {"lab": lab}}}),
        ("jupyter_server_config.json", {"OidcExtension": {"providers": {"lab": explicit}}}),
        port=port,
    )
    try:
        seen = wait_for(proc, log, "is running at")
        assert proc.poll() is None, seen
        assert "ipython_oidc_client: providers corp, lab" in seen
        served = requests.get(
            f"http://127.0.0.1:{port}/oidc/providers", headers={"Authorization": f"token {TOKEN}"}, timeout=10
        ).json()
        assert served["providers"]["corp"] == CORP
        assert served["providers"]["lab"]["client_id"] == "explicit"
    finally:
        stop(proc)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"OidcExtension": {"providers": {"lab": }}}', "zz-lab.json is not valid JSON"),
        ({"OidcExtension": {"providers": [{"authority": "https://idp.example"}]}}, "must be a JSON object"),
        ({"OidcExtension": ["providers"]}, "'OidcExtension' in "),
        (
            {"OidcExtension": {"providers": {"lab": {**CORP, "extraQueryParams": {"x": "y" * 100_000}}}}},
            "OidcExtension.providers['lab']: the entry is 100",
        ),
    ],
    ids=["does-not-parse", "providers-a-list", "section-a-list", "entry-of-100-kb"],
)
def test_a_broken_drop_in_file_stops_the_server_naming_it(tmp_path: Path, content: Any, says: str) -> None:
    proc, log = start_server(
        tmp_path, {"providers": {"corp": CORP}}, ("jupyter_server_config.d/zz-lab.json", content)
    )
    try:
        assert proc.wait(timeout=30) == 1
        seen = log.read_text()
        assert says in seen and "Fix the configuration and start again" in seen, seen[-2000:]
        assert "Traceback" not in seen
    finally:
        stop(proc)
