"""The token keeper's memory is closed to the user's own code (docs/keeper.md): JupyterLab runs as an
ordinary user, who signs in through the widget in Chromium; the kernel, as that user, can read the
Jupyter server's memory but not the keeper's (non-dumpable). Read as root, the refresh and ID tokens
are in the keeper only: not in the kernel, the Jupyter server or any process of the browser."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from ._memory import memory_holds
from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, start_provider, write_notebook
from ._user import User, build_venv, create_user, remove_user, start_lab_as

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd"),
    reason="needs root and useradd: the test runs JupyterLab as an ordinary user it creates",
)

CLIENT_ID = "notebooks"
NOTEBOOK = "keeper-memory.ipynb"
PROBE = """import os, socket, struct
def read_mem(pid):
    try:
        mem = open(f'/proc/{pid}/mem', 'rb', buffering=0)
    except OSError as e:
        return f'open:{type(e).__name__}'
    with mem, open(f'/proc/{pid}/maps') as maps:
        start = next(int(m.split('-')[0], 16) for m in maps if m.split()[1].startswith('r'))
        try:
            mem.seek(start)
            return f'read:{len(mem.read(4096))}'
        except OSError as e:
            return f'read:{type(e).__name__}'
with socket.socket(socket.AF_UNIX) as s:
    s.connect(os.environ['IPYTHON_OIDC_CLIENT_KEEPER'])
    pid, uid, _ = struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
server = os.getppid()
print(f'probe me={os.getuid()} keeper={pid} keeper_uid={uid} keeper_mem={read_mem(pid)}'
      f' server={server} server_uid={os.stat(f"/proc/{server}").st_uid} server_mem={read_mem(server)}')
"""


def _cells(issuer: str) -> list[str]:
    config = {"authority": issuer, "client_id": CLIENT_ID, "scope": "openid profile"}
    return [
        "from ipython_oidc_client import Token, authenticate\ntoken = Token()\n"
        f"s = authenticate({config!r}, token)",
        # The token reaches the kernel through its own connection to the keeper: wait for it.
        "import asyncio, os, time\ndeadline = time.monotonic() + 30\n"
        "while 'access_token' not in token and time.monotonic() < deadline:\n    await asyncio.sleep(0.05)\n"
        "print(f'pids uid={os.getuid()} kernel={os.getpid()} server={os.getppid()}',\n"
        "      f'token={\"access_token\" in token}')",
        f"import requests\nr = requests.get('{issuer}/me', auth=token, timeout=10)\n"
        "print('userinfo', r.status_code, r.json().get('sub'))",
        PROBE,
    ]


def _fields(text: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", text))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return found


def _descendants(pid: int) -> list[int]:
    kids = _children(pid)
    return kids + [d for kid in kids for d in _descendants(kid)]


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _exe(pid: int) -> str:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def _chromium_role(pid: int) -> str:
    """``browser``, or the ``--type`` of a child (renderer, gpu-process, utility, zygote)."""
    found = re.search(r"--type=(\S+)", _cmdline(pid))
    return found.group(1) if found else "browser"


@dataclass
class SignedIn:
    user: User
    lab: Lab
    provider: Provider
    nb: NotebookPage
    kernel: int
    server: int


def _timed(what: str, started: float) -> None:
    print(f"timing: {what} {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    where = Path(tempfile.mkdtemp(prefix="oidc-e2e-user-"))
    where.chmod(0o755)  # mkdtemp's 0700 would shut the user out of its venv and notebooks
    try:
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)


@pytest.fixture(scope="module")
def user(workdir: Path) -> Iterator[User]:
    created = create_user(workdir / "home")
    try:
        yield created
    finally:
        lingering = remove_user(created)
        assert not lingering, f"processes of {created.name} outlived its Jupyter server: {lingering}"


@pytest.fixture(scope="module")
def user_lab(workdir: Path, user: User) -> Iterator[Lab]:
    started = time.monotonic()
    python = build_venv(workdir / "venv")
    _timed("venv for the user", started)
    started = time.monotonic()
    lab = start_lab_as(user, python, workdir)
    _timed("jupyter lab as the user", started)
    try:
        yield lab
    finally:
        lab.server.stop()


@pytest.fixture(scope="module")
def user_provider(tmp_path_factory: pytest.TempPathFactory, user_lab: Lab) -> Iterator[Provider]:
    idp = start_provider(
        tmp_path_factory.mktemp("keeper-provider"),
        [{"client_id": CLIENT_ID, "redirect_uris": [user_lab.redirect_uri()]}],
        no_cors=True,
    )
    try:
        yield idp
    finally:
        idp.server.stop()


@pytest.fixture(scope="module")
def signed_in(browser: Browser, user: User, user_lab: Lab, user_provider: Provider) -> Iterator[SignedIn]:
    started = time.monotonic()
    path = user_lab.root / NOTEBOOK
    write_notebook(path, _cells(user_provider.issuer))
    os.chown(path, user.uid, user.gid)
    context = browser.new_context()
    try:
        nb = NotebookPage(context, user_lab, NOTEBOOK)
        with nb.page.expect_popup() as popup_info:
            nb.run(0)
        popup = popup_info.value
        popup.wait_for_url(f"{user_provider.issuer}/**", wait_until="commit", timeout=20_000)
        sign_in(popup, "alice")
        nb.wait_status("signed_in")
        pids = _fields(nb.run_and_wait(1, "pids"))
        assert pids["token"] == "True", "the kernel got no access token"
        assert pids["uid"] == str(user.uid), "the kernel does not run as the ordinary user"
        _timed("sign-in", started)
        yield SignedIn(user, user_lab, user_provider, nb, int(pids["kernel"]), int(pids["server"]))
    finally:
        context.close()


def test_the_ordinary_users_kernel_calls_the_provider_with_its_token(signed_in: SignedIn) -> None:
    out = signed_in.nb.run_and_wait(2, "userinfo")
    assert "userinfo 200 alice" in out, out


def test_the_kernel_cannot_read_the_keepers_memory_but_can_read_the_servers(signed_in: SignedIn) -> None:
    out = signed_in.nb.run_and_wait(3, "probe")
    print(out)
    probe = _fields(out)
    me = str(signed_in.user.uid)
    assert probe["keeper_uid"] == me, "the keeper runs as the user: the refusal is not another user's"
    assert int(probe["keeper"]) in _children(signed_in.server), "the socket's peer is the server's keeper"
    assert probe["keeper_mem"] == "open:PermissionError", probe
    # The control: the same user, the same read, of a dumpable process of its own.
    assert probe["server"] == str(signed_in.server) and probe["server_uid"] == me
    assert probe["server_mem"] == "read:4096", probe


def test_only_the_keeper_holds_the_refresh_and_id_tokens(signed_in: SignedIn) -> None:
    issued = [entry for entry in signed_in.provider.issued() if entry.get("access_token")]
    refresh = [entry["refresh_token"] for entry in issued if entry.get("refresh_token")]
    id_tokens = [entry["id_token"] for entry in issued if entry.get("id_token")]
    issued_counts = (len(refresh), len(id_tokens))  # counts only: a failed assert shows no token
    assert all(issued_counts), "the provider issued a refresh token and an ID token"
    access = issued[-1]["access_token"]
    (keeper,) = [pid for pid in _children(signed_in.server) if "ipython_oidc_client._keeper" in _cmdline(pid)]
    chromium = [pid for pid in _descendants(os.getpid()) if "chrom" in _exe(pid)]
    assert any("--type=renderer" in _cmdline(pid) for pid in chromium), "the page's renderer is there"

    started = time.monotonic()
    held = {}
    scanned = {"kernel": signed_in.kernel, "server": signed_in.server}
    scanned.update({f"chromium {_chromium_role(pid)} {pid}": pid for pid in chromium})
    for name, pid in scanned.items():
        found = memory_holds(pid, [signed_in.lab.token, access, *refresh, *id_tokens])
        held[name] = {
            "lab_token": found[signed_in.lab.token],  # the control of the server's and the browser's scans
            "access": found[access],
            "refresh": any(found[t] for t in refresh),
            "id": any(found[t] for t in id_tokens),
        }
        print(name, held[name])
    keeper_holds_refresh = memory_holds(keeper, [refresh[-1]])[refresh[-1]]
    _timed(f"scans of {len(held) + 1} processes", started)

    assert keeper_holds_refresh, "positive control: the scan finds the refresh token in the keeper"
    assert held["kernel"]["access"], "positive control: the scan finds the access token in the kernel"
    assert held["server"]["lab_token"], "positive control: the scan finds the server's own Jupyter token"
    for role in ("browser", "renderer"):  # and the browser and the page, which have it in their URL
        assert any(h["lab_token"] for name, h in held.items() if name.startswith(f"chromium {role} "))
    assert [name for name, h in held.items() if h["refresh"]] == [], "a refresh token outside the keeper"
    assert [name for name, h in held.items() if h["id"]] == [], "an ID token outside the keeper"
