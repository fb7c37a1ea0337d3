"""What a release ships and how it is made, held where it would otherwise drift: one version,
package.json's, everywhere it appears; a changelog that names it; workflows that actionlint passes
and that publish the way docs/contributing.md says. The distributions themselves are checked by
tests/docker/test_wheel.py, which builds them."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the test extra; PyYAML comes with jupyter_server
from packaging.version import Version

import ipython_oidc_client
from ipython_oidc_client.server.extension import OidcExtension

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Where the docs name a release of this package: a distribution's file name or a pinned install.
NAMED_RELEASE = re.compile(
    r"ipython_oidc_client-(\d[^-\s]*?)(?:-py3-none-any\.whl|\.tar\.gz)|ipython-oidc-client==([^\s\"'`]+)"
)


def _version() -> str:
    return str(json.loads((ROOT / "package.json").read_text())["version"])


def _workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec.get("steps", [])]


def _using(steps: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [step for step in steps if step.get("uses", "").startswith(f"{action}@")]


def test_the_version_is_written_in_package_json_only() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?", _version()), _version()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert not re.search(r"^version\s*=", pyproject, re.M), "pyproject.toml has a version of its own"
    assert re.search(r'^dynamic = \[[^\]]*"version"', pyproject, re.M)
    assert re.search(r'^\[tool\.hatch\.version\]\nsource = "nodejs"$', pyproject, re.M)
    # The package's __version__ comes from the file the build writes, not from a literal.
    assert not re.search(r"__version__\s*=", (ROOT / "ipython_oidc_client" / "__init__.py").read_text())


def test_package_lock_has_package_jsons_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["version"] == lock["packages"][""]["version"] == _version(), (
        "package-lock.json disagrees with package.json: change the version with "
        "`npm version X.Y.Z --no-git-tag-version`, which writes both"
    )


def test_the_package_and_its_installed_metadata_have_package_jsons_version() -> None:
    # Compared as versions: for a pre-release, npm's 0.3.0-rc.1 is Python's 0.3.0rc1.
    expected = Version(_version())
    reinstall = "package.json changed since this checkout was installed: pip install -e ."
    assert Version(ipython_oidc_client.__version__) == expected, reinstall
    assert Version(importlib.metadata.version("ipython-oidc-client")) == expected, reinstall


def test_the_server_log_says_the_version_as_the_extension_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The socket path it names in os.environ for its kernels is undone by conftest's no_keeper_named.
    extension = OidcExtension()
    # What initialize_settings reads of the server: its base URL, and where the keeper's socket goes.
    extension.serverapp = cast(Any, SimpleNamespace(base_url="/user/alice/", runtime_dir=str(tmp_path)))
    extension.log = logging.getLogger("test_release.OidcExtension")
    with caplog.at_level(logging.INFO, logger=extension.log.name):
        extension.initialize_settings()
    assert caplog.records, "the extension logged nothing as it started"
    assert caplog.records[0].getMessage() == (
        f"ipython_oidc_client {ipython_oidc_client.__version__}: sign-in pages under /user/alice/oidc/"
    )


def test_the_changelogs_newest_release_is_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[([^\]]+)\] - (\d{4}-\d{2}-\d{2}|Unreleased)$", changelog, re.M)
    assert releases, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' (or '- Unreleased') heading"
    assert releases[0][0] == _version(), f"the newest release in CHANGELOG.md is {releases[0][0]}"
    # Keep a Changelog's link references: each release heading links somewhere.
    for version, _date in releases:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", changelog, re.M), version


def test_the_docs_name_this_version_and_no_other_of_the_package() -> None:
    named = {
        f"{page.relative_to(ROOT)}: {m.group(0)}": m.group(1) or m.group(2)
        for page in DOCS
        for m in NAMED_RELEASE.finditer(page.read_text())
    }
    assert named, "the docs name no file or pin of this release; the test would check nothing"
    other = {where: v for where, v in named.items() if v != _version()}
    assert not other, f"package.json says {_version()}; the docs say: {other}"
    install = (ROOT / "README.md").read_text().split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    assert _version() in install, "the README's Install section does not say which version it installs"


def _github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readmes_links_into_the_changelog_land_on_a_heading() -> None:
    readme = (ROOT / "README.md").read_text()
    anchors = re.findall(r"\]\(CHANGELOG\.md#([^)]+)\)", readme)
    assert anchors, "the README links to no section of the changelog (Upgrading from 0.1.3)"
    headings = re.findall(r"^#+ (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    missing = set(anchors) - {_github_anchor(h) for h in headings}
    assert not missing, f"no heading of CHANGELOG.md has the anchor(s) {sorted(missing)}"


def _beside_python(tool: str) -> str:
    # Installed by the test extra into this environment (pyproject.toml), not looked for on PATH.
    path = Path(sys.executable).parent / tool
    assert path.is_file(), f"{tool} is not installed beside {sys.executable}: pip install -e '.[test]'"
    return str(path)


def test_the_workflows_pass_actionlint() -> None:
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert {p.name for p in workflows} >= {"ci.yml", "release.yml"}
    # shellcheck checks every `run:` script; no workflow runs Python inline (pyflakes off).
    argv = [_beside_python("actionlint"), "-no-color", "-shellcheck", _beside_python("shellcheck")]
    done = subprocess.run(
        [*argv, "-pyflakes=", *map(str, workflows)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_runs_the_readmes_test_command() -> None:
    command = "bash tests/run.sh"
    assert f"\n{command}" in (ROOT / "README.md").read_text()
    runs = [step.get("run", "").strip() for _job, step in _steps(_workflow("ci.yml"))]
    assert command in runs


def test_every_action_is_pinned_to_a_commit() -> None:
    # A tag can be moved to other code; a commit cannot. The release job can publish to PyPI.
    for name in ("ci.yml", "release.yml"):
        for job, step in _steps(_workflow(name)):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), (name, job, step["uses"])


def test_the_release_builds_once_and_publishes_those_files_with_trusted_publishing() -> None:
    release = _workflow("release.yml")
    # PyYAML reads the key `on` as True (YAML 1.1).
    assert set(release[True]) == {"push"} and set(release[True]["push"]) == {"tags"}
    assert release["permissions"] == {}
    builds = [job for job, step in _steps(release) if "python -m build" in step.get("run", "")]
    assert builds == ["build"], builds
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    others = {job: spec.get("permissions") for job, spec in release["jobs"].items() if job != "publish"}
    assert all("id-token" not in (p or {}) for p in others.values()), others
    uploads = _using([step for _job, step in _steps(release)], "pypa/gh-action-pypi-publish")
    assert len(uploads) == 1
    # No stored credential: no password, token or user given to the upload.
    assert uploads[0].get("with") == {"attestations": True}
    downloaded = _using(publish["steps"], "actions/download-artifact")
    uploaded = _using(release["jobs"]["build"]["steps"], "actions/upload-artifact")
    # What the build job checked is what the publish job uploads.
    assert downloaded and uploaded and downloaded[0]["with"]["name"] == uploaded[0]["with"]["name"]
