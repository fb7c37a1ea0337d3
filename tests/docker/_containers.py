"""Run a Jupyter container for a test and stop exactly that container, whatever happened; give it
a notebook; copy the checkout where a build or a container may write."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from e2e._procs import Server
from e2e._stack import Lab

from ._engine import Engine

REPO = Path(__file__).resolve().parents[2]
REGISTRY_PATH = "/etc/jupyter/jupyter_server_config.d/ipython_oidc_client_providers.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def copy_checkout(dest: Path) -> Path:
    """The checkout's files as a clean clone would have them, plus files not yet committed (what
    git does not ignore): no node_modules, venvs or built bundles. Tests build and write here,
    never in the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = REPO / name
        if src.is_file():  # a file deleted from the work tree is still listed by --cached
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@contextmanager
def jupyter_container(
    eng: Engine,
    image: str,
    workdir: Path,
    port: int,
    token: str,
    volumes: list[str] | None = None,
    timeout: float = 120,
) -> Iterator[tuple[Lab, Server, str]]:
    """A container of ``image`` on the host's network, its Jupyter on 127.0.0.1:``port``.

    The token reaches it in the environment (``-e JUPYTER_TOKEN`` with no value: docker reads it
    from its own environment), so that it shows in no process list and no log."""
    name = f"ipython-oidc-client-test-{uuid.uuid4().hex[:10]}"
    argv = ["docker", "run", "--rm", "--name", name, "--network", "host"]
    argv += ["-e", f"JUPYTER_PORT={port}", "-e", "JUPYTER_IP=127.0.0.1", "-e", "JUPYTER_TOKEN"]
    for volume in volumes or []:
        argv += ["-v", volume]
    workdir.mkdir(parents=True, exist_ok=True)
    server = Server(
        f"container {image}",
        [*argv, image],
        workdir / "container.log",
        env={**eng.env, "JUPYTER_TOKEN": token},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        server.wait_until(lambda: _status(url, token), timeout=timeout)
        yield Lab(server, url, token, workdir), server, name
    finally:
        # By the name this test gave it: the container, then the `docker run` client.
        eng.docker("rm", "--force", name, check=False, timeout=60)
        server.stop()


def _status(url: str, token: str) -> bool:
    try:
        r = requests.get(f"{url}api/status", headers={"Authorization": f"token {token}"}, timeout=2)
    except requests.RequestException:
        return False
    return r.status_code == 200


def put_notebook(lab: Lab, name: str, cells: list[str]) -> None:
    """Give the server a notebook through its contents API: no file permissions to arrange between
    this machine and the container's user."""
    nb: dict[str, Any] = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for i, src in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    r = requests.put(
        f"{lab.url}api/contents/{name}",
        headers={"Authorization": f"token {lab.token}"},
        data=json.dumps({"type": "notebook", "format": "json", "content": nb}),
        timeout=30,
    )
    r.raise_for_status()


def exec_in(eng: Engine, container: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command in the container, as its image's user, without raising on failure."""
    proc = eng.docker("exec", container, *argv, check=False, timeout=60)
    proc.stdout = ANSI.sub("", proc.stdout)
    proc.stderr = ANSI.sub("", proc.stderr)
    return proc


def wait_for(condition: Any, what: str, timeout: float) -> None:
    """Poll ``condition()`` until it is true; fail saying ``what`` did not happen in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)  # polling interval of a condition with a deadline
