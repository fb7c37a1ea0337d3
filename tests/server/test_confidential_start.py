"""A confidential client's entry is checked when the server starts (docs/admins.md): what cannot be
read, a malformed ``client_auth`` and a method the provider does not list each stop the server with
one line naming the provider and the key; a provider out of reach is a warning; the served registry
never holds ``client_auth``. No secret is in the log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from server_proc import TOKEN, free_port, start_server, stop, wait_for

SECRET = "confidential-start-s3cret"


@pytest.fixture
def discovery() -> Iterator[dict[str, Any]]:
    """A provider on 127.0.0.1 that serves only its discovery document (the check at start reads no
    more); the test fills in what it lists."""
    doc: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    doc.update(
        issuer=issuer,
        authorization_endpoint=f"{issuer}/auth",
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/jwks",
        code_challenge_methods_supported=["S256"],
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield doc
    finally:
        server.shutdown()
        server.server_close()


def _entry(doc: dict[str, Any], auth: dict[str, Any]) -> dict[str, Any]:
    return {
        "providers": {"corp": {"authority": doc["issuer"], "client_id": "notebooks", "client_auth": auth}}
    }


def _stopped_with(tmp_path: Path, entries: dict[str, Any], env: dict[str, str] | None = None) -> str:
    proc, log = start_server(tmp_path, entries, env=env)
    try:
        assert proc.wait(timeout=60) == 1, log.read_text()
        seen = log.read_text()
        assert "Fix the configuration and start again" in seen
        assert SECRET not in seen
        return seen
    finally:
        stop(proc)


def test_a_secret_file_that_cannot_be_read_stops_the_server(
    tmp_path: Path, discovery: dict[str, Any]
) -> None:
    missing = tmp_path / "no-such-secret"
    seen = _stopped_with(
        tmp_path, _entry(discovery, {"method": "client_secret_basic", "secret_file": str(missing)})
    )
    assert f"OidcExtension.providers['corp']: client_auth.secret_file: cannot read {missing}" in seen


def test_a_malformed_client_auth_stops_the_server(tmp_path: Path, discovery: dict[str, Any]) -> None:
    seen = _stopped_with(tmp_path, _entry(discovery, {"method": "client_secret_jwt", "secret": SECRET}))
    assert "OidcExtension.providers['corp']: client_auth.method: must be one of" in seen


def test_a_method_the_provider_does_not_list_stops_the_server(
    tmp_path: Path, discovery: dict[str, Any]
) -> None:
    discovery["token_endpoint_auth_methods_supported"] = ["private_key_jwt"]
    seen = _stopped_with(
        tmp_path,
        _entry(discovery, {"method": "client_secret_post", "secret_env": "CORP_SECRET"}),
        {"CORP_SECRET": SECRET},
    )
    assert 'provider "corp": its client_auth.method client_secret_post is not among the methods' in seen


def test_a_good_entry_starts_and_is_served_without_client_auth(
    tmp_path: Path, discovery: dict[str, Any]
) -> None:
    discovery["token_endpoint_auth_methods_supported"] = ["client_secret_basic", "client_secret_post"]
    port = free_port()
    entries = _entry(discovery, {"method": "client_secret_post", "secret_env": "CORP_SECRET"})
    proc, log = start_server(tmp_path, entries, port=port, env={"CORP_SECRET": SECRET})
    try:
        seen = wait_for(proc, log, "is running at")
        assert proc.poll() is None, seen
        assert "token keeper started" in seen
        served = requests.get(
            f"http://127.0.0.1:{port}/oidc/providers", headers={"Authorization": f"token {TOKEN}"}, timeout=10
        ).text
        assert "client_auth" not in served and "CORP_SECRET" not in served and SECRET not in served
        assert SECRET not in log.read_text()
    finally:
        stop(proc)


def test_a_provider_out_of_reach_at_start_is_a_warning(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    entries = {
        "providers": {
            "corp": {
                "authority": down,
                "client_id": "n",
                "client_auth": {"method": "client_secret_basic", "secret": SECRET},
            }
        }
    }
    proc, log = start_server(tmp_path, entries)
    try:
        seen = wait_for(proc, log, "is running at")
        assert proc.poll() is None, seen
        assert 'provider "corp": its client_auth could not be checked against the provider' in seen
        assert SECRET not in seen
    finally:
        stop(proc)
