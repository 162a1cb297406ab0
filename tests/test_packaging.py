"""What the package says about itself: its links, its licence, its home.

The wheel's own metadata is checked by ``.ci/run``, which builds it (the
README's links written out in full by the build); here, that whatever the
README and the guides link to is in the repository, and that the build is
told to write those links out.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _relative(target: str) -> bool:
    return not target.startswith(("http://", "https://", "mailto:", "#"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_file_a_page_links_to_is_in_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = [target for target in LINK.findall(text) if _relative(target)
               and not (page.parent / target.split("#")[0]).exists()]
    assert not missing, f"{page.name} links to files that do not exist: {missing}"


def test_the_readme_links_work_from_the_package_index() -> None:
    """On the index page a relative link leads nowhere: the build writes each
    out in full, against the project's home, as the substitution says."""
    hook = PYPROJECT["tool"]["hatch"]["metadata"]["hooks"]["fancy-pypi-readme"]
    assert [fragment["path"] for fragment in hook["fragments"]] == ["README.md"]
    home = PYPROJECT["project"]["urls"]["Source"]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for substitution in hook["substitutions"]:
        text = re.sub(substitution["pattern"], substitution["replacement"], text)
    links = LINK.findall(text)
    assert links and not [target for target in links if _relative(target)]
    assert all(target.startswith(home) or not target.startswith("https://github.com/") for target in links)
    assert "readme" in PYPROJECT["project"]["dynamic"]


def test_the_licence_the_metadata_names_is_in_the_repository() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "LICENSE" in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]


def test_the_project_names_its_home_documentation_and_issues() -> None:
    urls = PYPROJECT["project"]["urls"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= urls.keys()
    assert all(url.startswith("https://") for url in urls.values())
