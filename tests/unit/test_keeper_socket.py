"""The keeper program on a real Unix socket (ipython_oidc_client/_keeper/wire.py, server.py,
harden.py, __main__.py): ping, refusals that leave the connection usable, over-long lines, ``follow``
(the current session at once, then each change), the socket's mode, a non-dumpable core-less process,
and its end when its stdin closes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_idp import REDIRECT, FakeIdp, leaked
from keeper_proc import Conn, Running, keeper_process

from ipython_oidc_client._keeper.wire import MAX_LINE


@pytest.fixture
def running() -> Iterator[Running]:
    with keeper_process() as proc:
        yield proc


@pytest.fixture
def conn(running: Running) -> Iterator[Conn]:
    c = running.connect()
    yield c
    c.close()


def sign_in(conn: Conn, idp: FakeIdp, instance: str) -> dict[str, Any]:
    started = conn.ask(
        "begin", config=idp.config(), redirect_uri=REDIRECT, instance=instance, renew_before=60
    )
    assert started["ok"], started.get("error")
    code, _ = idp.authorize(started["url"])
    redeemed = conn.ask(
        "redeem", 2, state=started["state"], response={"code": code, "state": started["state"]}
    )
    assert redeemed["ok"], redeemed.get("error")
    view: dict[str, Any] = redeemed["session"]
    return view


def test_ping_answers_with_the_keepers_counts(conn: Conn) -> None:
    assert conn.ask("ping", 7) == {"id": 7, "ok": True, "sessions": 0, "pending": 0}


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'"ping"\n', b'{"id": 3, "op": "nope"}\n'])
def test_a_malformed_line_is_refused_and_the_connection_goes_on(conn: Conn, line: bytes) -> None:
    conn.send(line)
    answer = conn.read()
    assert answer["ok"] is False and answer["error"] == "invalid_request" and answer["message"]
    assert answer["id"] == (3 if b'"id"' in line else None)
    assert conn.ask("ping", 8)["ok"] is True


def test_an_over_long_line_is_refused_whole(conn: Conn) -> None:
    # Its tail is a request of its own only in appearance: it must not run.
    conn.send(b"x" * (MAX_LINE + 1) + b'{"id": 9, "op": "ping"}\n')
    answer = conn.read()
    assert (answer["ok"], answer["error"]) == (False, "invalid_request") and "longer" in answer["message"]
    conn.send(b'{"id": 10, "op": "ping"}\n')
    assert conn.read()["id"] == 10


def test_follow_gives_the_current_session_at_once_then_each_change(
    running: Running, conn: Conn, idp: FakeIdp
) -> None:
    view = sign_in(conn, idp, "w1")
    follower = running.connect()
    try:
        follower.send({"id": 1, "op": "follow", "instance": "w1"})
        first = [follower.read(), follower.read()]  # the event and the answer, in either order
        event = next(m for m in first if m.get("event") == "session")
        assert {"id": 1, "ok": True} in first
        assert event["instance"] == "w1" and event["session"] == view
        assert event["token"]["access_token"].startswith("at-") and event["token"]["token_type"] == "Bearer"
        assert set(event["token"]) == {"access_token", "expires_at", "scope", "token_type"}
        renewed = conn.ask("renew", 3, session=view["id"])["session"]
        change = follower.read()
        assert change["session"] == renewed and change["session"]["version"] > view["version"]
        assert change["token"]["access_token"] not in (None, event["token"]["access_token"])
        conn.ask("logout", 4, session=view["id"], post_logout_redirect_uri=REDIRECT)
        ended = follower.read()
        assert ended["session"]["status"] == "signed_out" and ended["token"] is None
        assert leaked([event, change, ended], idp.secrets()) == []
    finally:
        follower.close()


def test_a_follower_of_an_instance_not_yet_bound_hears_of_its_binding(
    running: Running, conn: Conn, idp: FakeIdp
) -> None:
    view = sign_in(conn, idp, "w1")
    follower = running.connect()
    try:
        assert follower.ask("follow", 1, instance="w2") == {"id": 1, "ok": True}
        again = conn.ask("begin", 5, config=idp.config(), redirect_uri=REDIRECT, instance="w2")
        assert again["session"]["id"] == view["id"]  # the live session, at once
        event = follower.read()
        assert event["event"] == "session" and event["session"]["id"] == view["id"]
        assert event["token"]["access_token"].startswith("at-")
    finally:
        follower.close()


def test_the_socket_is_its_users_alone(running: Running) -> None:
    assert stat.S_IMODE(os.stat(running.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(running.path)).st_mode) == 0o700


def _dumpable(harden: bool) -> str:
    code = (
        "from ipython_oidc_client._keeper import harden as h\n"
        + ("print(h.harden())\n" if harden else "print(None)\n")
        + "print(h._libc().prctl(h.PR_GET_DUMPABLE, 0, 0, 0, 0))\n"
        + "import resource; print(resource.getrlimit(resource.RLIMIT_CORE))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_DUMPABLE) is Linux's")
def test_harden_makes_the_process_non_dumpable_and_core_less() -> None:
    assert _dumpable(harden=False).split("\n")[1] == "1"  # the control: a process is dumpable
    assert _dumpable(harden=True).split("\n")[:3] == ["True", "0", "(0, 0)"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl are Linux's")
def test_the_keeper_process_is_hardened(running: Running) -> None:
    pid = running.proc.pid
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    core = next(line for line in limits if line.startswith("Max core file size")).split()
    assert core[4:6] == ["0", "0"]
    assert "non-dumpable" not in running.log.read_text()  # it says so when prctl fails
    if os.getuid() != 0:
        # proc(5): the files of a non-dumpable process belong to root, and its memory is closed to
        # every process of its user (this one too, although it started it). Root may read it anyway.
        assert os.stat(f"/proc/{pid}/status").st_uid == 0
        with pytest.raises(PermissionError):
            open(f"/proc/{pid}/mem", "rb").close()


def test_the_keeper_ends_when_its_stdin_closes(running: Running) -> None:
    assert running.proc.stdin is not None
    running.proc.stdin.close()
    assert running.proc.wait(timeout=10) == 0
    assert not os.path.exists(running.path)
