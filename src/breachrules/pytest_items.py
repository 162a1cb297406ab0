"""What the pytest plugin collects: rulesets and case files as test items.

A ruleset file gives an item ``check`` (the compile checks and the solver's
findings, as ``breachrules check``) and an item ``invariant NAME`` for each
invariant of its chain. A case file gives an item for each of its cases,
named after it; a file that cannot run gives one failing item that shows its
problems. A failure reads as ``breachrules test`` and ``check`` write it, in
the language of ``--breachrules-lang``, without a Python traceback.

Each ruleset is compiled once and proved at most once a session, however
many items and case files use it; nothing is proved for items ``-k``
deselects. Loaded by :mod:`breachrules.pytest_plugin` when it finds a file
of ours, never before.
"""

from __future__ import annotations

import os
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from breachrules import case_words, cases, verify
from breachrules.diagnostics import Diagnostic, RulesetError
from breachrules.errors import BreachrulesError, in_words
from breachrules.i18n import Messages
from breachrules.pytest_plugin import SETTINGS, BreachrulesWarning, Settings
from breachrules.resources import BUNDLED_PREFIX, display_name, real_path
from breachrules.spans import Span
from breachrules.usage import notes

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr


class Failure(Exception):
    """A failure already put in words: shown as it is, without a traceback."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Store:
    """One session's rulesets, compiled once, and their analyses, made once."""

    def __init__(self, config: pytest.Config) -> None:
        self.settings: Settings = config.stash[SETTINGS]
        self.here = config.invocation_params.dir
        self._rulesets: dict[Path, Any] = {}  # a compiled ruleset, or the RulesetError it raised
        self._analyses: dict[Path, Any] = {}

    @property
    def messages(self) -> Messages:
        return Messages(self.settings.lang)

    def shown(self, path: Path) -> str:
        """A file as the reports name it: relative to where pytest was run,
        a bundled one as ``rulesets/...``, anything else in full."""
        name = display_name(path)
        if name.startswith(BUNDLED_PREFIX):
            return name
        relative = os.path.relpath(path.resolve(), self.here)
        return str(path.resolve()) if relative.startswith("..") else relative

    def ruleset(self, path: Path) -> Any:
        """The compiled ruleset in ``path``; raises its RulesetError."""
        key = path.resolve()
        if key not in self._rulesets:
            import breachrules

            shown = self.shown(key)
            # spans name the file as it was loaded: relative when that reads the same file
            target = Path(shown) if not Path(shown).is_absolute() and Path.cwd() == self.here else key
            try:
                self._rulesets[key] = breachrules.load(target)
            except RulesetError as error:
                self._rulesets[key] = error
        found = self._rulesets[key]
        if isinstance(found, RulesetError):
            raise found
        return found

    def against(self) -> Any:
        """The ruleset of ``--breachrules-ruleset``, or None; raises its RulesetError."""
        name = self.settings.ruleset
        if name is None:
            return None
        if Path(name).is_absolute():
            return self.ruleset(Path(name))
        import breachrules

        return breachrules.bundled(name)

    def for_case_file(self, path: Path) -> Any:
        """The ruleset to run a case file with: ``--breachrules-ruleset``,
        else the ``.rules`` file it names, compiled once for every file that
        names it (None: let :func:`cases.load` find it, or say what is wrong)."""
        against = self.against()
        if against is not None:
            return against
        named = (_toml(path) or {}).get("ruleset")
        if isinstance(named, str) and named.endswith(".rules"):
            return self.ruleset(path.parent / named)
        return None

    def analysis(self, path: Path) -> Any:
        """What the solver proves and refutes of the ruleset in ``path``."""
        key = path.resolve()
        if key not in self._analyses:
            self._analyses[key] = verify.analyse(self.ruleset(key))
        return self._analyses[key]


_STORE = pytest.StashKey[Store]()


def _store(config: pytest.Config) -> Store:
    if _STORE not in config.stash:
        config.stash[_STORE] = Store(config)
    return config.stash[_STORE]


def _toml(path: Path) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # (TOMLDecodeError and UnicodeDecodeError are ValueErrors)
        return None


class _Item(pytest.Item):
    """An item whose failure is already in words, marked with what it is
    (``-m breachrules_case`` runs the cases alone)."""

    MARK = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_marker(self.MARK)

    @property
    def store(self) -> Store:
        return _store(self.config)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, Failure):
            return excinfo.value.text
        if isinstance(excinfo.value, BreachrulesWarning):  # -W error: a warning made a failure
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        # The last part is the head of a failure's report. It is not the end
        # of the node id, which pytest -v would print with its dots as "::".
        return self.path, 0, f"{self.name} ({self.store.shown(self.path)})"


# ------------------------------------------------------------------ case files


class CaseFile(pytest.File):
    """A case file: an item for each case, the base case first."""

    def collect(self) -> Iterator[pytest.Item]:
        store = _store(self.config)
        _ = store.messages
        lang = store.settings.lang
        try:
            ruleset, found = cases.load(self.path, store.for_case_file(self.path))
        except cases.CaseFileError as error:
            text = cases.CaseFileError(store.shown(self.path), error.problems).render(lang)
            yield Unrunnable.from_parent(self, name=self._name(), text=text)
            return
        except RulesetError as error:
            text = _("cli.test.cannot_run", file=store.shown(self.path)) + "\n" + error.render(lang)
            yield Unrunnable.from_parent(self, name=self._name(), text=text)
            return
        seen: set[str] = set()
        for case in found:
            name, n = case.name, 1
            while name in seen:  # two variants of one name: still two items
                n += 1
                name = f"{case.name} ({n})"
            seen.add(name)
            yield CaseItem.from_parent(self, name=name, case=case, ruleset=ruleset)

    def _name(self) -> str:
        """A file that cannot run is named as its base case would be."""
        description = (_toml(self.path) or {}).get("description")
        return description if isinstance(description, str) and description else self.path.stem


class CaseItem(_Item):
    """One case: passes when the ruleset decides it as it expects."""

    MARK = "breachrules_case"

    def __init__(self, *, case: cases.Case, ruleset: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.ruleset = ruleset

    def runtest(self) -> None:
        _ = self.store.messages
        try:
            result = cases.run(self.ruleset, self.case)
        except BreachrulesError as error:  # the ruleset cannot evaluate this case
            raise Failure(f"{self._at(self.case.line)}: {in_words(error, _.locale)}") from None
        if result.passed:
            return
        lines = [f"{self._at(m.line)}: {case_words.mismatch(_, m)}" for m in result.mismatches]
        trace = [" " * 4 + case_words.fired(_, entry) for entry in result.assessment.trace]
        lines += ["", _("pytest.fired"), *trace] if trace else ["", _("pytest.none_fired")]
        raise Failure("\n".join(lines))

    def _at(self, line: int | None) -> str:
        shown = self.store.shown(self.path)
        return shown if line is None else f"{shown}:{line}"

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        return self.path, self.case.line - 1, f"{self.name} ({self._at(self.case.line)})"


class Unrunnable(_Item):
    """A case file that cannot run: its problems, each with its line."""

    MARK = "breachrules_case"

    def __init__(self, *, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text

    def runtest(self) -> None:
        raise Failure(self.text)


# ------------------------------------------------------------------ ruleset files


class RulesetFile(pytest.File):
    """A ruleset file: its check, and each invariant of its chain."""

    def collect(self) -> Iterator[pytest.Item]:
        yield CheckItem.from_parent(self, name="check")
        try:
            ruleset = _store(self.config).ruleset(self.path)
        except RulesetError:  # the check says why
            return
        for inv in ruleset.program.invariants:
            yield InvariantItem.from_parent(self, name=f"invariant {inv.name}", invariant=inv.name, span=inv.span)


class CheckItem(_Item):
    """``breachrules check``: the compile checks, then, with the solver, the
    findings of the analysis that are not about one invariant (those fail
    the invariant's own item). Errors fail it; warnings only with
    ``--breachrules-strict``, and are otherwise pytest warnings."""

    MARK = "breachrules_check"

    def runtest(self) -> None:
        store = self.store
        _ = store.messages
        lang = store.settings.lang
        try:
            ruleset = store.ruleset(self.path)
        except RulesetError as error:
            raise Failure(error.render(lang) + "\n\n" + _.plural("cli.errors_found", len(error.diagnostics))) \
                from None
        analysis = store.analysis(self.path) if verify.available() else None
        invariants = [inv.span for inv in ruleset.program.invariants]
        proved = analysis.findings if analysis is not None else ()
        found = [*notes(ruleset), *(f for f in proved if not any(_within(f.span, s) for s in invariants))]
        errors = sum(f.severity == "error" for f in found)
        warned = len(found) - errors
        if errors or (warned and store.settings.strict):
            counts = [_.plural("cli.errors_found", errors)] if errors else []
            counts += [_.plural("cli.warnings_found", warned)] if warned else []
            counts += [_("pytest.strict")] if warned and not errors else []
            # the counts first: pytest's short summary shows the first line
            raise Failure("\n".join(counts) + "\n\n" + "\n\n".join(_rendered(f, ruleset, lang) for f in found))
        for f in found:
            _warn(_rendered(f, ruleset, lang, source=False), f.span)
        if analysis is None:
            raise _skip(_("cli.check.no_solver"))


class InvariantItem(_Item):
    """One invariant, proved for every complete incident the ruleset accepts,
    or refuted with an incident that breaks it."""

    MARK = "breachrules_invariant"

    def __init__(self, *, invariant: str, span: Span, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.invariant = invariant
        self.span = span

    def runtest(self) -> None:
        store = self.store
        _ = store.messages
        lang = store.settings.lang
        if not verify.available():
            raise _skip(_("pytest.no_solver", name=self.invariant))
        ruleset = store.ruleset(self.path)
        analysis = store.analysis(self.path)
        claim = next(c for c in analysis.claims if c.kind == "invariant" and c.name == self.invariant)
        mine = [f for f in analysis.findings if _within(f.span, self.span)]
        text = "\n\n".join([claim.render(lang), *(_rendered(f, ruleset, lang) for f in mine)])
        if claim.status == "refuted" or any(f.severity == "error" for f in mine):
            raise Failure(text)
        if claim.status != "proved" or mine:  # searched or undecided: not a proof
            if store.settings.strict:
                raise Failure(text + "\n\n" + _("pytest.strict"))
            _warn("\n".join([claim.render(lang), *(_rendered(f, ruleset, lang, source=False) for f in mine)]),
                  self.span)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        file = self._file()
        return file, self.span.line - 1, f"{self.name} ({self.store.shown(file)}:{self.span.line})"

    def _file(self) -> Path:
        """The file that declares the invariant: this one, or one it extends."""
        path = real_path(self.span.file)
        return path if path.is_absolute() else self.store.here / path


def _rendered(found: Any, ruleset: Any, lang: str, source: bool = True) -> str:
    """A compile warning or a finding as ``breachrules check`` shows it;
    without ``source``, without the lines of the file it quotes (pytest
    shows a warning's line itself)."""
    text = next((s.text for s in ruleset.sources if s.file == found.span.file), None) if source else None
    if isinstance(found, Diagnostic):
        return found.render(text, lang)
    return str(found.render(text, lang, ruleset.messages(lang)))


def _skip(reason: str) -> BaseException:
    """A skip that ``-rs`` places at the item's file and line, as a skip
    mark's is, not in this module."""
    return pytest.skip.Exception(reason, _use_item_location=True)


def _within(span: Span, outer: Span) -> bool:
    return span.file == outer.file and (outer.line, outer.column) <= (span.line, span.column) \
        <= (outer.end_line, outer.end_column)


def _warn(text: str, span: Span) -> None:
    """A warning of ``check``, placed at its line: pytest's summary lists it
    under the item, followed by that line of the file."""
    warnings.warn_explicit(text, BreachrulesWarning, span.file, span.line)
