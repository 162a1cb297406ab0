"""A bundled ruleset's fast path, prepared at build time.

Assessing a complete incident needs, of its ruleset, only the generated
function (compiled when the package is built: :mod:`breachrules.prepared`),
the constants that function reads, and the parts its results share
(``ruleset._StaticParts``). A :class:`Kit` holds them, so that
``bundled("gdpr").assess(...)`` in a fresh process reads neither the
program nor the compiler's modules, whose classes are most of a first
use's cost; the program is read when anything else asks for it
(``Ruleset.program``). :mod:`breachrules.prepare` makes the kits, and
:mod:`breachrules.prepared` reads them, checked against the sources and the
library as every artefact is; a kit that is not there, or not whole, is
not used, and the ruleset is read as before.

A kit holds data only (the library's classes, numbers, texts, sets,
tables, instants and durations): the helpers the generated function calls
are kept by name and found again in the modules they come from
(:data:`HELPERS`), never unpickled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from breachrules import arithmetic, prepared, validator
from breachrules.packing import level_key_of

if TYPE_CHECKING:
    from breachrules.ruleset import Ruleset, _StaticParts

_PLAIN = (bool, int, float, str, timedelta, datetime, date, type(None))
HELPERS = {"validator": validator, "arithmetic": arithmetic}  # where a kit's helpers are found


class Generated:
    """One generated function: the key of its compiled code, the constants
    it reads (``helpers``: those that are the library's, as the module of
    :data:`HELPERS` and the name there), and how many levels each outcome
    has (to fill its table of decisions by levels)."""

    def __init__(self, key: str, constants: dict[str, Any], helpers: dict[str, tuple[str, str]],
                 counts: tuple[int, ...]) -> None:
        self.key = key
        self.constants = constants
        self.helpers = helpers
        self.counts = counts

    def function(self, names: Mapping[str, Any]) -> Callable[..., Any] | None:
        """The function, its globals ``names`` (as ``codegen.build`` takes
        them); None when its compiled code is not at hand (another Python)."""
        code = prepared.code_by_key(self.key)
        if code is None:
            return None
        namespace = {**self.constants,
                     **{name: getattr(HELPERS[module], found) for name, (module, found) in self.helpers.items()},
                     "_Decline": validator.Decline, **names}
        return function_of(code, namespace, self.counts)


class Kit:
    """What a complete incident's assessment needs of a bundled ruleset."""

    def __init__(self, read: frozenset[str], value_names: Any, static: _StaticParts,
                 assess: Generated | None) -> None:
        self.read = read
        self.value_names = value_names
        self.static = static
        self.assess = assess

    def function(self, method: str, names: Mapping[str, Any]) -> Callable[..., Any] | None:
        """The generated ``method`` ("assess"), when the kit holds it."""
        return self.assess.function(names) if method == "assess" and self.assess is not None else None


def function_of(code: Any, namespace: dict[str, Any], counts: tuple[int, ...]) -> Callable[..., Any]:
    """The generated function of ``code`` run in ``namespace``, with its
    table of the decision of each combination of levels filled in (see
    ``codegen._Writer._decided_by_levels``), when it has one."""
    exec(code, namespace)  # noqa: S102 - our own generated code, from a checked program
    fill = namespace.get("_levels")
    if fill is not None:
        by_levels = namespace["_by_levels"]
        for levels in itertools.product(*(range(n) for n in counts)):
            by_levels[level_key_of(counts, levels)] = fill(*levels)
    function: Callable[..., Any] = namespace["run"]
    return function


def make(ruleset: Ruleset) -> Kit | None:
    """The kit of a compiled ruleset, at build time; None when its generated
    function reads a constant a kit cannot hold as data."""
    from breachrules import codegen

    program = ruleset.program
    source, constants = codegen.generated(program, traced=True)
    helpers = {id(value): (module, name) for module, found in HELPERS.items()
               for name, value in vars(found).items() if not name.startswith("__")}
    data: dict[str, Any] = {}
    named: dict[str, tuple[str, str]] = {}
    for name, value in constants.items():
        if _plain(value):
            data[name] = value
        elif id(value) in helpers:
            named[name] = helpers[id(value)]
        else:
            return None
    counts = tuple(len(o.levels) for o in program.outcomes)
    assess = Generated(prepared.code_key(codegen.filename(program, True), source), data, named, counts)
    return Kit(frozenset(ruleset._read), ruleset._value_names, ruleset._static, assess)


def _plain(value: Any) -> bool:
    if isinstance(value, frozenset | tuple):
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return type(value) in _PLAIN


__all__ = ["Generated", "Kit", "function_of", "make"]
