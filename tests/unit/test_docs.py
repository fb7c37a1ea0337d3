"""The README and docs/ cannot drift from the code: every accepted config key is in the reference,
every relative link and picture points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipython_oidc_client._providers import OVERRIDABLE
from ipython_oidc_client._settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "benchmarks" / "README.md",
    ROOT / "CHANGELOG.md",
]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _reference_rows() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([A-Za-z_]+)` \|.*$", section, re.M)}


def test_the_configuration_reference_lists_every_accepted_key_and_nothing_else() -> None:
    rows = _reference_rows()
    assert set(rows) == set(SETTINGS), (
        f"missing from the README: {sorted(set(SETTINGS) - set(rows))}; "
        f"not accepted by the code: {sorted(set(rows) - set(SETTINGS))}"
    )


def test_the_readme_names_every_key_a_notebook_may_add_to_an_admins_provider() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    tail = section.split("may be narrowed by", 1)[1]
    missing = [key for key in OVERRIDABLE if f"`{key}`" not in tail]
    assert not missing, missing


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_picture_points_at_a_file(page: Path) -> None:
    targets = [t for t in LINK.findall(page.read_text()) if not re.match(r"[a-z]+:", t)]
    missing = [t for t in targets if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to files that do not exist: {missing}"
