"""An ordinary user of this machine for an end-to-end test (root only): made with useradd, given a
venv of Debian's Python that imports this project from its work tree, and running JupyterLab as
itself, so that what the same user can and cannot read of another process is the kernel's."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ._procs import free_port
from ._stack import Lab, lab_options, start_jupyter

REPO = Path(__file__).resolve().parents[2]
#: Debian's Python: the .venv's lives under /root (mode 0700), out of another user's reach.
SYSTEM_PYTHON = "/usr/bin/python3"
LAB_PACKAGES = ["jupyterlab>=4,<5", "ipykernel", "anywidget", "requests", "pyjwt[crypto]", "jupyter_server"]
STATIC_FILES = ("widget.js", "loader.js", "callback.js", "widget.css")


@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: Path


def create_user(home: Path) -> User:
    name = f"oidc-e2e-{secrets.token_hex(4)}"
    argv = ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin"]
    subprocess.run([*argv, "--user-group", name], check=True, capture_output=True)
    entry = pwd.getpwnam(name)
    home.mkdir(mode=0o700)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    return User(name, entry.pw_uid, entry.pw_gid, home)


def pids_of(user: User) -> list[int]:
    """The processes whose real uid is the user's (/proc/<pid> of a non-dumpable one is root's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text() if entry.name.isdigit() else ""
        except OSError:  # ended meanwhile
            continue
        uids = next((line.split()[1:] for line in status.splitlines() if line.startswith("Uid:")), [])
        if uids and int(uids[0]) == user.uid:
            pids.append(int(entry.name))
    return pids


def remove_user(user: User, timeout: float = 15.0) -> list[int]:
    """userdel, once every process of the user has ended; the ones still there after ``timeout``
    (which only this test started: the user is its own) are killed by pid, and returned."""
    deadline = time.monotonic() + timeout
    while pids_of(user) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling interval of a condition with a deadline
    lingering = pids_of(user)
    for pid in lingering:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while pids_of(user) and time.monotonic() < deadline:
        time.sleep(0.1)
    subprocess.run(["userdel", user.name], check=True, capture_output=True)
    return lingering


def build_venv(where: Path) -> Path:
    """A venv of Debian's Python with what JupyterLab and the project need, the project itself on its
    path through a .pth file (not reinstalled) and its server extension enabled as a wheel would
    enable it; its python is returned."""
    static = REPO / "ipython_oidc_client" / "static"
    missing = [name for name in STATIC_FILES if not (static / name).is_file()]
    if missing:
        raise RuntimeError(f"{static} lacks {missing}: run `npm ci && npm run build` in {REPO}.")
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *LAB_PACKAGES], capture_output=True, text=True
    )
    if pip.returncode:
        raise RuntimeError(f"pip install failed:\n{pip.stdout[-2000:]}\n{pip.stderr[-3000:]}")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "ipython_oidc_client_worktree.pth").write_text(f"{REPO}\n")
    config = where / "etc" / "jupyter" / "jupyter_server_config.d"
    config.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "jupyter-config" / "jupyter_server_config.d" / "ipython_oidc_client.json", config)
    return python


def start_lab_as(user: User, python: Path, workdir: Path) -> Lab:
    """``jupyter lab`` as ``user`` (setpriv, which execs it: the Server's pid is the server's), with
    start_lab's options; its notebooks in ``workdir``/notebooks, its log in ``workdir``."""
    port = free_port()
    token = secrets.token_hex(16)
    root = workdir / "notebooks"
    settings_dir = user.home / ".jupyter" / "lab" / "user-settings"
    for path in (root, settings_dir, user.home / "workspaces"):
        path.mkdir(parents=True, exist_ok=True)
    for path in (root, *user.home.rglob("*")):
        os.chown(path, user.uid, user.gid)
    env = {
        "HOME": str(user.home),
        "USER": user.name,
        "LOGNAME": user.name,
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(user.home / "workspaces"),
    }
    argv = [
        "setpriv",
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        "--init-groups",
        "--",
        str(python),
        "-m",
        "jupyterlab",
        *lab_options(port, token, root),
    ]
    url = f"http://127.0.0.1:{port}/"
    server = start_jupyter(f"jupyter lab as {user.name}", argv, workdir, env, url, token)
    return Lab(server, url, token, root)
