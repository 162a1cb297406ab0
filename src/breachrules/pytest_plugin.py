"""The pytest plugin: ``pytest`` runs a repository's rulesets and case files.

Installed with breachrules as the ``pytest11`` entry point ``breachrules``,
so a bare ``pytest`` collects, with no conftest:

- every ruleset file (``*.rules`` whose first word is ``ruleset``): one item
  ``check``, which fails as ``breachrules check`` does, and one item
  ``invariant NAME`` for each invariant of its chain, proved by the solver;
- every case file (``*.toml`` with a top-level ``ruleset`` key, or any
  ``*.toml`` in a directory named by ``--breachrules-cases``): one item for
  each case, named after it (``description / variant``).

This module holds the hooks and the options only. pytest imports it in every
project of anyone who installed breachrules, so it must cost next to nothing
where there are no rulesets: the items (:mod:`breachrules.pytest_items`), the
compiler and the solver load only when a file of ours is found.
docs/pytest-plugin.md describes what the user sees.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from breachrules.i18n import Messages

# A case file is a few screens of TOML (cases.MAX_CASE_BYTES): a larger file
# outside a case directory is not one, and is not read.
_SNIFF_BYTES = 4_000_000
_RULESET_START = re.compile(rb"\A(?:\s*#[^\n]*\n)*\s*ruleset\s")
_LANGS = ("fi", "sv", "en")  # i18n.LOCALES, which this module does not import


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the options say, resolved once, at configure time."""

    lang: str
    strict: bool
    ruleset: str | None  # an absolute .rules path or a bundled ruleset's name
    case_dirs: tuple[Path, ...]  # resolved: every *.toml under them is a case file

    def in_case_dir(self, path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved.is_relative_to(d) for d in self.case_dirs)


SETTINGS = pytest.StashKey[Settings]()


class BreachrulesWarning(UserWarning):
    """A warning of ``breachrules check`` about a ruleset that passes: shown
    in pytest's warnings summary, a failure with ``--breachrules-strict``.
    Filter it as ``ignore::breachrules.pytest_plugin.BreachrulesWarning``."""


def pytest_addoption(parser: pytest.Parser) -> None:
    # Help texts are in English, as pytest's own are: reading a catalog here
    # would cost every pytest run of every project, rulesets or not.
    group = parser.getgroup("breachrules", "breachrules rulesets and case files")
    group.addoption("--breachrules-ruleset", metavar="PATH|NAME", default=None,
                    help="run every case file against this ruleset (an extension of the one each file names: "
                         "a .rules file, or a bundled ruleset's name); ini: breachrules_ruleset")
    group.addoption("--breachrules-cases", metavar="DIR|NAME", action="append", default=None,
                    help="also collect the case files in DIR (every *.toml in it is a case file), or the "
                         "bundled case set NAME, such as gdpr; may be repeated; "
                         "ini: breachrules_cases, one a line, collected when pytest is given no paths")
    group.addoption("--breachrules-lang", choices=_LANGS, default=None,
                    help="language of the failure reports: fi, sv or en (default: the ini breachrules_lang, "
                         "else the environment variable BREACHRULES_LANG, else en)")
    group.addoption("--breachrules-strict", action="store_true", default=None,
                    help="fail a ruleset's check and invariants on warnings too, as breachrules check --strict; "
                         "ini: breachrules_strict")
    group.addoption("--no-breachrules", action="store_true", default=False, dest="breachrules_disabled",
                    help="collect no rulesets or case files (as -p no:breachrules)")
    parser.addini("breachrules_ruleset", "run every case file against this ruleset (a path relative to the "
                  "ini file, or a bundled ruleset's name)", default="")
    parser.addini("breachrules_cases", "directories of case files, relative to the ini file, or bundled case "
                  "sets, one a line; collected when pytest is given no paths", type="linelist", default=[])
    parser.addini("breachrules_lang", "language of the failure reports: fi, sv or en", default="")
    parser.addini("breachrules_strict", "fail a ruleset's check and invariants on warnings too", type="bool",
                  default=False)


_MARKERS = {
    "breachrules_case": "a case of a case file (breachrules)",
    "breachrules_check": "the check of a ruleset file: its compile checks and what the solver finds (breachrules)",
    "breachrules_invariant": "an invariant of a ruleset, proved by the solver (breachrules)",
}


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("breachrules_disabled"):
        return
    for name, meaning in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    # BREACHRULES_LANG is read as breachrules reads it, and ignored when it
    # names no language of ours: pytest runs in every project of the user's
    environment = os.environ.get("BREACHRULES_LANG", "")[:2]
    lang = config.getoption("breachrules_lang") or str(config.getini("breachrules_lang")) \
        or (environment if environment in _LANGS else "en")
    if lang not in _LANGS:
        raise pytest.UsageError(_messages("en")("pytest.bad_lang", found=lang, allowed=", ".join(_LANGS)))
    here = config.invocation_params.dir
    ini = config.inipath.parent if config.inipath is not None else config.rootpath
    # an option names paths from where pytest runs, the ini file from its own directory
    given = config.getoption("breachrules_cases")
    if given is not None:
        dirs = [_case_dir(name, here, "--breachrules-cases", lang) for name in given]
    else:
        dirs = [_case_dir(name, ini, "breachrules_cases", lang) for name in config.getini("breachrules_cases")]
    ruleset = config.getoption("breachrules_ruleset")
    if ruleset is not None:
        against = _ruleset(ruleset, here, "--breachrules-ruleset", lang)
    elif name := str(config.getini("breachrules_ruleset")):
        against = _ruleset(name, ini, "breachrules_ruleset", lang)
    else:
        against = None
    strict = config.getoption("breachrules_strict")
    config.stash[SETTINGS] = Settings(
        lang=lang,
        strict=bool(strict if strict is not None else config.getini("breachrules_strict")),
        ruleset=against,
        case_dirs=tuple(d.resolve() for d in dirs),
    )
    # Directories named on the command line are always collected; those of
    # the ini file only when pytest was given no paths, as testpaths are.
    if given is not None or config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args.extend(str(d) for d in dirs if str(d) not in config.args)


def _messages(lang: str) -> Messages:
    """The catalog, read only when there is something to tell."""
    from breachrules.i18n import Messages

    return Messages(lang)


def _case_dir(name: str, base: Path, option: str, lang: str) -> Path:
    """A directory of case files, or the bundled case set of that name."""
    from breachrules.resources import bundled_case_sets

    path = base / name
    if path.is_dir():
        return path
    sets = bundled_case_sets()
    if name in sets:
        return sets[name]
    available = ", ".join(sets)
    raise pytest.UsageError(_messages(lang)("pytest.no_case_dir", option=option, name=name, available=available))


def _ruleset(name: str, base: Path, option: str, lang: str) -> str:
    """The ruleset the cases run against: an absolute path, or a bundled name."""
    from breachrules.resources import bundled_names

    path = base / name
    if path.is_file() and (path.suffix == ".rules" or os.sep in name or "/" in name):
        return str(path.resolve())
    if name in bundled_names():
        return name
    raise pytest.UsageError(_messages(lang)("pytest.no_ruleset", option=option, name=name,
                                            available=", ".join(bundled_names())))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = parent.config.stash.get(SETTINGS, None)
    if settings is None:  # --no-breachrules
        return None
    # a file named on the command line is ours whatever it holds, as pytest
    # takes a Python file named there whatever its name
    named = parent.session.isinitpath(file_path)
    if file_path.suffix == ".rules" and (named or _is_ruleset(file_path)):
        from breachrules.pytest_items import RulesetFile

        return RulesetFile.from_parent(parent, path=file_path)
    if file_path.suffix == ".toml" and (named or _is_case_file(file_path) or (
            settings.in_case_dir(file_path) and file_path.name != "pyproject.toml")):
        from breachrules.pytest_items import CaseFile
        from breachrules.resources import BUNDLED_PREFIX, display_name

        # a bundled case file is named as everywhere, rulesets/cases/gdpr/x.toml,
        # not by a path into site-packages
        name = display_name(file_path)
        return CaseFile.from_parent(parent, path=file_path, nodeid=name if name.startswith(BUNDLED_PREFIX) else None)
    return None


def _is_ruleset(path: Path) -> bool:
    """A breachrules ruleset, not another tool's ``.rules`` (udev, Snort):
    its first word, past comments, is ``ruleset``."""
    try:
        with path.open("rb") as file:
            return _RULESET_START.match(file.read(65536)) is not None
    except OSError:
        return False


def _is_case_file(path: Path) -> bool:
    """A TOML file with a top-level ``ruleset`` key; one that does not parse
    is a case file when a top-level line, before any table, sets ``ruleset``.
    pyproject.toml and other tools' TOML are left alone."""
    import tomllib

    try:
        if path.stat().st_size > _SNIFF_BYTES:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if b"ruleset" not in data:
        return False
    try:
        return "ruleset" in tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        pass
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("["):
            return False
        if re.match(r"""(ruleset|"ruleset"|'ruleset')\s*=""", line):
            return True
    return False
