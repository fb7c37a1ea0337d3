"""What the process that runs the user's code holds after a device sign-in, read from its memory
(``/proc/<pid>/mem`` over every readable mapping): the access token (the positive control) and no
refresh token and no ID token; those live in the helper process, whose memory is read the same way."""

from __future__ import annotations

from pathlib import Path

from e2e._memory import memory_holds
from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import Script, approve_device, script_env


def test_the_users_process_holds_the_access_token_only(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    script = Script.python(tmp_path, script_env(provider, "device", NATIVE_TEST_HOLD="1"))
    scripts.append(script)
    approve_device(context, script.link())
    script.line("holding")
    (helper,) = script.children()

    tokens = [entry for entry in provider.issued() if entry.get("access_token")]
    user = memory_holds(script.proc.pid, [t["access_token"] for t in tokens])
    ours = [t for t in tokens if user[t["access_token"]]]
    assert len(ours) == 1, "positive control: the user's process holds its access token"
    issued = ours[0]
    assert issued.get("refresh_token") and issued.get("id_token"), "the provider issued both"

    every_refresh = [t["refresh_token"] for t in tokens if t.get("refresh_token")]
    every_id = [t["id_token"] for t in tokens if t.get("id_token")]
    in_user = memory_holds(script.proc.pid, every_refresh + every_id)
    assert not any(in_user[t] for t in every_refresh), "a refresh token is in the user's process"
    assert not any(in_user[t] for t in every_id), "an ID token is in the user's process"

    # The same scan finds the refresh token where it is kept: in the helper, for renewals.
    assert memory_holds(helper, [issued["refresh_token"]])[issued["refresh_token"]]

    assert script.proc.stdin is not None
    script.proc.stdin.write("\n")
    script.proc.stdin.flush()
    assert script.wait() == 0
