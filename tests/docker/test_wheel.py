"""The distributions, checked as they would be uploaded. `python -m build` makes the sdist, then the
wheel from the unpacked sdist, in a clean environment with Node.js: the widget is built from the
sources the sdist carries. Both pass the index's checks (twine, check-wheel-contents); the wheel
holds the built scripts, the files that enable the server extension and the licence, and no tests,
caches or source maps; installed into a fresh venv with no Node.js, the extension is enabled, the
server's log names the version, and the callback page is served. The build runs once, for all.
(No Docker here; it runs with the image tests because it is about shipping too.)"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest
import requests
from e2e._procs import Server, free_port

from ._containers import ANSI, REPO, copy_checkout

BUILT_SCRIPTS = ["widget.js", "widget.css", "loader.js", "callback.js"]
# The files that enable the server extension on install: where the wheel puts them, from where.
ENABLING = {
    f"etc/jupyter/{folder}/ipython_oidc_client.json": REPO
    / "jupyter-config"
    / folder
    / "ipython_oidc_client.json"
    for folder in ("jupyter_server_config.d", "jupyter_notebook_config.d")
}


def _run(argv: list[str], log: Path, **kwargs: object) -> str:
    """Run a command; its output goes to ``log`` and, on failure, into the error."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    output = str(proc.stdout) + str(proc.stderr)
    log.write_text(output)
    assert proc.returncode == 0, f"{' '.join(argv)} exited with {proc.returncode}:\n{output[-4000:]}"
    return output


@dataclass(frozen=True)
class Built:
    src: Path  # the copy of the checkout it was built from
    sdist: Path
    wheel: Path
    log: str  # what `python -m build` printed

    def sdist_files(self) -> dict[str, bytes]:
        """The sdist's files by their path under its top folder."""
        with tarfile.open(self.sdist) as sdist:
            return {
                m.name.split("/", 1)[1]: sdist.extractfile(m).read()  # type: ignore[union-attr]
                for m in sdist.getmembers()
                if m.isfile() and "/" in m.name
            }

    def wheel_files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.wheel) as wheel:
            return {name: wheel.read(name) for name in wheel.namelist() if not name.endswith("/")}

    def metadata(self) -> Message:
        (name,) = [n for n in self.wheel_files() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(self.wheel_files()[name].decode())


def _version() -> str:
    return str(json.loads((REPO / "package.json").read_text())["version"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("dist")
    # Built from a copy, as a clone holds it: the build runs npm in its tree, which must not be the
    # working tree.
    src = copy_checkout(tmp / "src")
    dist = tmp / "dist"
    # No --sdist or --wheel: the sdist, then the wheel from it, as the release workflow builds them.
    log = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)], tmp / "build.log")
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in dist.iterdir())
    return Built(src, sdists[0], wheels[0], log)


def test_the_sdist_carries_the_sources_the_lockfile_and_the_licence(built: Built) -> None:
    files = built.sdist_files()
    for needed in (
        "pyproject.toml",
        "package.json",
        "package-lock.json",
        "js/widget/widget.ts",
        "js/callback/callback.ts",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
    ):
        assert needed in files, f"{needed} is not in the sdist"
    assert files["LICENSE"] == (REPO / "LICENSE").read_bytes()
    pkg_info = HeaderParser().parsestr(files["PKG-INFO"].decode())
    assert pkg_info["License-Expression"] == "MIT" and pkg_info.get_all("License-File") == ["LICENSE"]
    assert not [n for n in files if "node_modules" in n], "node_modules in the sdist"


def test_the_wheel_is_built_from_the_sdists_sources_with_npm(built: Built) -> None:
    assert "Building wheel from sdist" in built.log, built.log[-2000:]
    # The sdist has no built script, the wheel has all: npm built them from what the sdist carries.
    sdist, wheel = built.sdist_files(), built.wheel_files()
    assert not [n for n in sdist if n.startswith("ipython_oidc_client/static/")], "built scripts in the sdist"
    assert all(f"ipython_oidc_client/static/{name}" in wheel for name in BUILT_SCRIPTS)
    after = built.log.split("Building wheel from sdist", 1)[1]
    assert "hatch_jupyter_builder.npm_builder" in after and "npm install" in after, after[-2000:]


def test_the_sdist_and_the_wheel_pass_twine_check_and_the_wheel_check_wheel_contents(
    built: Built, tmp_path: Path
) -> None:
    twine = [sys.executable, "-m", "twine", "check", "--strict", str(built.sdist), str(built.wheel)]
    assert "PASSED" in ANSI.sub("", _run(twine, tmp_path / "twine.log"))
    checked = _run([sys.executable, "-m", "check_wheel_contents", str(built.wheel)], tmp_path / "cwc.log")
    assert checked.strip().endswith(": OK"), checked


def test_the_wheel_holds_the_built_scripts_the_jupyter_config_and_the_licence(built: Built) -> None:
    files = built.wheel_files()
    for name in BUILT_SCRIPTS:
        assert files.get(f"ipython_oidc_client/static/{name}"), f"static/{name} is missing or empty"
    data = f"ipython_oidc_client-{_version()}.data/data/"
    for path, source in ENABLING.items():
        assert json.loads(files[data + path]) == json.loads(source.read_text()), path
    dist_info = f"ipython_oidc_client-{_version()}.dist-info/"
    assert files[dist_info + "licenses/LICENSE"] == (REPO / "LICENSE").read_bytes()
    metadata = built.metadata()
    assert metadata["License-Expression"] == "MIT" and metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Version"] == _version() and built.wheel.name.startswith(
        f"ipython_oidc_client-{_version()}-"
    )


def test_the_wheel_holds_no_tests_caches_or_source_maps_with_local_paths(built: Built) -> None:
    files = built.wheel_files()
    unwanted = [
        n
        for n in files
        if {"tests", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache"} & set(n.split("/"))
        or n.endswith((".pyc", ".map", ".ts"))
    ]
    assert not unwanted, unwanted
    # Where this build ran: a source map or a bundler's comment would carry such a path.
    local = [str(built.src), str(REPO), "build-via-sdist-"]
    leaks = {n: [p for p in local if p.encode() in body] for n, body in files.items()}
    assert not {n: p for n, p in leaks.items() if p}, leaks
    assert not [n for n, body in files.items() if b"sourceMappingURL" in body]


def test_the_index_page_links_and_pictures_point_into_the_repository(built: Built) -> None:
    metadata = built.metadata()
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    source = urls["Source"]
    owner_repo = source.removeprefix("https://github.com/")
    page = metadata.get_payload()
    assert isinstance(page, str) and page.startswith("# ipython-oidc-client"), "the README is not the page"
    targets = re.findall(r"\]\(([^)\s]+)\)", page)
    relative = [t for t in targets if not re.match(r"https?://|#", t)]
    assert not relative, f"links that only work inside the repository: {relative}"
    # Into the repository's main branch: a file that exists there (here: in the checkout).
    prefixes = (f"{source}/blob/main/", f"https://raw.githubusercontent.com/{owner_repo}/main/")
    ours = [t.split("#", 1)[0] for t in targets if t.startswith(prefixes)]
    assert ours, "the page links to no file of the repository; the README's links were not rewritten"
    missing = [t for t in ours if not (REPO / t.split("/main/", 1)[1]).is_file()]
    assert not missing, missing
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page)
    assert pictures and all(p.startswith(prefixes[1]) for p in pictures), pictures


def _serving(url: str, token: str) -> bool:
    try:
        answer = requests.get(f"{url}api/status", headers={"Authorization": f"token {token}"}, timeout=2)
    except requests.RequestException:
        return False
    return answer.status_code == 200


def test_the_wheel_installs_without_node_enables_the_extension_and_serves_the_callback_page(
    built: Built, tmp_path: Path
) -> None:
    # A fresh venv, a PATH on which there is no node or npm: the wheel needs neither.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path / "venv.log")
    path = str(venv / "bin")
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env |= {"PATH": path, "HOME": str(tmp_path / "home")}
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", str(built.wheel)]
    _run(pip, tmp_path / "pip.log", env=env)

    listed = _run([str(venv / "bin/jupyter"), "server", "extension", "list"], tmp_path / "ext.log", env=env)
    listed = ANSI.sub("", listed)
    assert re.search(r"ipython_oidc_client\s+enabled", listed), listed
    assert re.search(rf"ipython_oidc_client {re.escape(_version())} OK", listed), listed
    # Enabled by the venv's own config, not by a file elsewhere on this machine.
    assert (venv / "etc/jupyter/jupyter_server_config.d/ipython_oidc_client.json").is_file()

    port, token = free_port(), secrets.token_hex(16)
    argv = [str(venv / "bin/jupyter"), "server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    argv += ["--ServerApp.open_browser=False", f"--ServerApp.root_dir={tmp_path}", "--allow-root"]
    server = Server(
        "jupyter server from the wheel", argv, tmp_path / "server.log", {**env, "JUPYTER_TOKEN": token}
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        server.wait_until(lambda: _serving(url, token), timeout=60)
        page = requests.get(
            f"{url}oidc/redirect.html", headers={"Authorization": f"token {token}"}, timeout=10
        )
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        script = re.search(r'<script src="/(static/ipython_oidc_client/callback\.js)\?v=', page.text)
        assert script, page.text
        served = requests.get(url + script.group(1), headers={"Authorization": f"token {token}"}, timeout=10)
        assert served.status_code == 200
        assert served.content == built.wheel_files()["ipython_oidc_client/static/callback.js"]
        assert f"ipython_oidc_client {_version()}: sign-in pages under /oidc/" in server.log()
    finally:
        server.stop()
