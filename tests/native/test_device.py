"""The device authorization grant (RFC 8628) from a plain ``python`` process, against oidc-provider,
approved (or refused) in Chromium."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import requests
from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import Script, alive, approve_device, script_env
from .conftest import NATIVE_CLIENT


def test_signs_in_and_the_token_works_at_userinfo(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    script = Script.python(tmp_path, script_env(provider, "auto"))
    scripts.append(script)
    link = script.link()
    assert "user_code=" in link
    # flow="auto" says which flow and why, in one line.
    assert any('flow="device"' in line and "offers it" in line for line in script.out)
    approve_device(context, link)
    assert script.line("userinfo:").split()[1:] == ["200", "alice"]
    assert script.line("fields:") == "fields: ['access_token', 'expires_at', 'scope', 'token_type']"
    assert script.wait() == 0
    issued = [entry for entry in provider.issued() if entry.get("access_token")]
    access = issued[-1]["access_token"]
    # The token's repr is masked; nothing the script printed carries the access token.
    assert access not in "\n".join(script.out + script.err)


def test_denial_gives_access_denied(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    script = Script.python(tmp_path, script_env(provider, "device"))
    scripts.append(script)
    approve_device(context, script.link(), abort=True)
    assert script.line("error:").startswith("error: access_denied |")
    assert script.wait() == 3


def test_expiry_gives_expired_token(
    short_lived_provider: Provider, tmp_path: Path, scripts: list[Script]
) -> None:
    script = Script.python(tmp_path, script_env(short_lived_provider, "device"))
    scripts.append(script)
    script.link()  # printed, never opened: the 3 s code runs out
    line = script.line("error:", timeout=30)
    assert line.startswith("error: expired_token |")
    assert "Run authenticate() again" in line
    assert script.wait() == 3


def test_ctrl_c_cancels_and_stops_the_helper(
    provider: Provider, tmp_path: Path, scripts: list[Script]
) -> None:
    script = Script.python(tmp_path, script_env(provider, "device"))
    scripts.append(script)
    script.link()
    helpers = script.children()
    assert len(helpers) == 1 and alive(helpers[0])
    # What Ctrl-C in a terminal does: SIGINT to the foreground process group.
    os.killpg(script.proc.pid, signal.SIGINT)
    code = script.wait()
    assert code in (-signal.SIGINT, 128 + signal.SIGINT, 1), code
    script.wait_for(lambda: any("Sign-in cancelled" in line for line in script.err), "cancel message", 10)
    assert any(line.startswith("KeyboardInterrupt") for line in script.err)
    assert not alive(helpers[0]), "the helper outlived the cancelled sign-in"


def test_the_helper_renews_the_access_token_in_place(
    short_token_provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    env = script_env(short_token_provider, "device", NATIVE_TEST_WAIT_RENEWAL="1")
    script = Script.python(tmp_path, env)
    scripts.append(script)
    approve_device(context, script.link())
    assert script.line("renewed:", timeout=40) == "renewed: True True"
    assert script.line("userinfo after renewal:") == "userinfo after renewal: 200"
    assert script.wait() == 0
    refreshes = [e for e in short_token_provider.issued() if e.get("access_token")]
    assert len(refreshes) >= 2, "the provider issued a second access token (by refresh)"


def test_a_long_job_calls_an_api_every_2_seconds_for_70_seconds_and_every_call_succeeds(
    twenty_second_provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    # 20-s access tokens, renewed by the helper process 60 s before expiry at most half their
    # lifetime, i.e. every 10 s: the script's token is always valid, and several differ.
    env = script_env(twenty_second_provider, "device", NATIVE_TEST_CALLS="35")
    script = Script.python(tmp_path, env)
    scripts.append(script)
    approve_device(context, script.link())
    line = script.line("calls:", timeout=120)
    assert line.startswith("calls: 35 failed: []"), line
    assert int(line.split("tokens:")[1]) >= 5, line
    assert script.wait() == 0


def test_logout_revokes_the_refresh_token_at_the_provider(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    """RFC 7009: the keeper revokes the refresh token before it stops: redeemed afterwards, as the
    client itself would, the provider refuses it (it would answer 200 with new tokens otherwise)."""
    script = Script.python(tmp_path, script_env(provider, "device", NATIVE_TEST_LOGOUT="1"))
    scripts.append(script)
    approve_device(context, script.link())
    assert script.line("logged-out:") == "logged-out: [] signed_out"
    assert script.wait() == 0
    refresh = [e["refresh_token"] for e in provider.issued() if e.get("refresh_token")][-1]
    answer = requests.post(
        f"{provider.issuer}/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh, "client_id": NATIVE_CLIENT},
        timeout=10,
    )
    assert (answer.status_code, answer.json().get("error")) == (400, "invalid_grant")
