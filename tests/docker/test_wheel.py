"""The distributions: `python -m build` makes an sdist and a wheel; the wheel carries the built
JavaScript and the file that enables the server extension, and installs where there is no Node.js.
(No Docker here; it runs with the image tests because it is about shipping too.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from ._containers import ANSI, copy_checkout


def _run(argv: list[str], log: Path, **kwargs: object) -> str:
    """Run a command; its output goes to ``log`` and, on failure, into the error."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    output = str(proc.stdout) + str(proc.stderr)
    log.write_text(output)
    assert proc.returncode == 0, f"{' '.join(argv)} exited with {proc.returncode}:\n{output[-4000:]}"
    return output


def test_build_gives_an_sdist_and_a_wheel_that_installs_without_node(tmp_path: Path) -> None:
    # Built from a copy: the build runs npm in its tree, which must not be the working tree.
    src = copy_checkout(tmp_path / "src")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)], tmp_path / "build.log")
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in dist.iterdir())

    # The sdist: the sources and the lockfile that the wheel's build (from the sdist) needs.
    with tarfile.open(sdists[0]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in ("pyproject.toml", "package.json", "package-lock.json", "js/widget.ts", "js/callback.ts"):
        assert needed in names, f"{needed} is not in the sdist"
    assert not [n for n in names if "node_modules" in n], "node_modules in the sdist"

    # The wheel: the bundles, and the file that enables the server extension on install.
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    for needed in (
        "ipython_oidc_client/static/widget.js",
        "ipython_oidc_client/static/loader.js",
        "ipython_oidc_client/static/callback.js",
    ):
        assert needed in names, f"{needed} is not in the wheel"
    assert any(n.endswith("data/etc/jupyter/jupyter_server_config.d/ipython_oidc_client.json") for n in names)

    # A fresh venv, a PATH on which there is no node or npm: the wheel needs neither.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path / "venv.log")
    path = str(venv / "bin")
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env |= {"PATH": path, "HOME": str(tmp_path / "home")}
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheels[0])]
    _run(pip, tmp_path / "pip.log", env=env)
    assert shutil.which("node", path=env["PATH"]) is None

    listed = _run([str(venv / "bin/jupyter"), "server", "extension", "list"], tmp_path / "ext.log", env=env)
    listed = ANSI.sub("", listed)
    assert re.search(r"ipython_oidc_client\s+enabled", listed), listed
    assert re.search(r"ipython_oidc_client \S+ OK", listed), listed
    # Enabled by the venv's own config, not by a file elsewhere on this machine.
    assert (venv / "etc/jupyter/jupyter_server_config.d/ipython_oidc_client.json").is_file()
