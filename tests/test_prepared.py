"""The artefacts prepared at build time (breachrules.prepared).

They must be what compiling from source gives now, and anything that
differs from what they were made from (a ruleset, a catalog, the grammar,
a library module, the bytes of the artefact itself) must make the library
compile instead, with the same answer. When the first test fails, rebuild
them with::

    python -m breachrules.prepare
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import breachrules
from breachrules import catalogs, i18n, loader, parser, prepare, prepared, resources
from breachrules.diagnostics import RulesetError
from breachrules.limits import DEFAULT, Limits

ROOT = Path(__file__).resolve().parent.parent
REBUILD = f"stale prepared artefacts: rebuild them with `{prepare.COMMAND}` and commit them"

COMPLETE = {
    "became_aware_at": "2026-11-20T09:30:00+02:00", "breach_types": ["confidentiality"],
    "data_categories": ["health", "identity_number", "contact"], "subjects": 1, "vulnerable_subjects": False,
    "malicious": False, "exposed_to": "outsider", "retrieval": "not_retrieved", "encryption": "none",
    "identifiability": "direct", "possible_harms": [],
}


def _compiled(name: str) -> Any:
    path = resources.bundled_path(name)
    assert path is not None
    return loader.load_file(path)


def _po_files() -> list[tuple[Path, str, str]]:
    found = [(i18n.catalog_path(resources.library_locale_dir(), locale, i18n.LIBRARY_DOMAIN), i18n.LIBRARY_DOMAIN,
              locale) for locale in i18n.LOCALES]
    for locale in i18n.LOCALES:
        found += [(path, path.stem, locale)
                  for path in sorted((resources.rulesets_dir() / "locale" / locale / "LC_MESSAGES").glob("*.po"))]
    return found


def _babel_compiled(path: Path, locale: str) -> Any:
    from babel.messages.pofile import read_po

    catalog = read_po(path.open("rb"), locale=locale, abort_invalid=True)
    return catalog, i18n.compiled(catalog)


# ------------------------------------------------------------------ current


@pytest.mark.parametrize("name", resources.bundled_names())
def test_each_bundled_ruleset_is_prepared_as_compiling_gives_it(name: str) -> None:
    prepared_form = prepared.bundled(name)
    assert prepared_form is not None, REBUILD
    fresh = _compiled(name)
    assert prepared_form.program == fresh.program, REBUILD
    assert prepared_form.warnings == fresh.warnings, REBUILD
    assert prepared_form.sources == fresh.sources
    assert prepared_form.catalogs == fresh.catalogs
    assert prepared_form.digest == fresh.digest
    assert prepared_form._static.vocabulary == fresh._static.vocabulary, REBUILD  # (prepared with the program)
    assert breachrules.bundled(name) is prepared_form  # what bundled() hands out


def test_every_catalog_is_prepared_as_babel_compiles_it() -> None:
    for path, domain, locale in _po_files():
        found = prepared.catalog(domain, locale, path.read_bytes())
        assert found is not None, f"{path}: {REBUILD}"
        catalog, translations = _babel_compiled(path, locale)
        ours = found.translations()
        # every message; the header ("") is no message, and Babel stamps it with the time of reading
        assert ours._catalog == {k: v for k, v in translations._catalog.items() if k != ""}, REBUILD
        assert [ours.plural(n) for n in range(200)] == [translations.plural(n) for n in range(200)]
        assert list(found.obsolete) == catalogs.obsolete_entries(catalog)
        assert found.names == catalogs.placeholder_names(catalog)


@pytest.mark.parametrize("name", resources.bundled_names())
@pytest.mark.parametrize("traced", [False, True])
def test_each_generated_function_is_prepared_as_python_compiles_it(name: str, traced: bool) -> None:
    from breachrules import codegen

    program = _compiled(name).program
    source, filename = codegen.generate(program, traced=traced), codegen.filename(program, traced)
    found = prepared.generated_code(filename, source)
    assert found is not None, REBUILD
    assert found == prepared.compile_source(source, filename)
    # keyed by the text: any other source, or the same under another name, is compiled
    assert prepared.generated_code(filename, source + "\n") is None
    assert prepared.generated_code(codegen.filename(program, not traced), source) is None


def _ruleset_texts() -> list[tuple[str, str]]:
    files = [*resources.rulesets_dir().glob("*.rules"), *(ROOT / "examples").rglob("*.rules"),
             *(ROOT / "tests").rglob("*.rules"), *(ROOT / "benchmarks").glob("*.rules")]
    return [(str(f), f.read_text(encoding="utf-8")) for f in sorted(files)]


@pytest.mark.parametrize("keep_all_tokens", [False, True])
def test_the_grammar_tables_parse_as_the_grammar_does(keep_all_tokens: bool) -> None:
    import lark

    options = parser.lark_options(keep_all_tokens)
    header = prepared._artefact(prepared.grammar_file(options))
    assert header is not None, REBUILD
    if header[0]["lark"] != lark.__version__:
        pytest.skip(f"tables made by Lark {header[0]['lark']}, this is Lark {lark.__version__}: {REBUILD}")
    loaded = prepared.lark_parser(prepared.grammar_text(), options)
    assert loaded is not None, REBUILD
    built = lark.Lark(prepared.grammar_text(), **options)
    assert {t.name: t.pattern.value for t in loaded.terminals} == {t.name: t.pattern.value for t in built.terminals}
    texts = _ruleset_texts()
    assert len(texts) > 5
    for file, text in texts:
        try:
            expected: Any = built.parse(text)
        except lark.exceptions.UnexpectedInput as error:
            expected = (type(error), error.line, error.column, error.expected if hasattr(error, "expected") else None)
        try:
            got: Any = loaded.parse(text)
        except lark.exceptions.UnexpectedInput as error:
            got = (type(error), error.line, error.column, error.expected if hasattr(error, "expected") else None)
        assert got == expected, file


def test_a_syntax_error_reads_the_same_with_the_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "ruleset x\nversion \"1\"\n\nrule r when and then risk >= high\n"
    with pytest.raises(RulesetError) as with_tables:
        parser.parse(text, "<with tables>")
    parser._lark.cache_clear()
    monkeypatch.setattr(prepared, "lark_parser", lambda text, options: None)
    try:
        with pytest.raises(RulesetError) as built:
            parser.parse(text, "<built>")
    finally:
        parser._lark.cache_clear()
    assert with_tables.value.diagnostics[0].values == built.value.diagnostics[0].values
    assert with_tables.value.diagnostics[0].span.line == built.value.diagnostics[0].span.line


def test_the_artefacts_name_the_modules_that_compile() -> None:
    found = prepared._artefact(prepared.ruleset_file("gdpr"))
    assert found is not None, REBUILD
    modules = found[0]["modules"]
    for module in ("checker.py", "parser.py", "ir.py", "program.py", "loader.py", "prepare.py"):
        assert module in modules
    assert all((resources.PACKAGE / module).is_file() for module in modules)


# ------------------------------------------------------------------ stale or tampered


@pytest.fixture
def artefacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's artefacts, used instead of them."""
    copy = tmp_path / "artefacts"
    shutil.copytree(prepared.ARTEFACTS, copy)
    monkeypatch.setattr(prepared, "ARTEFACTS", copy)
    return copy


def _rewrite(path: Path, change: Any, *, rehash: bool = True) -> None:
    data = path.read_bytes()
    line, _, payload = data.partition(b"\n")
    header, payload = change(json.loads(line), payload)
    if rehash:
        header["payload"] = prepared.sha(payload)
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def test_the_copy_is_used_when_nothing_differs(artefacts: Path) -> None:
    chain = _compiled("fi-health").sources
    assert prepared.ruleset(chain, DEFAULT) is not None


def _differs(artefacts: Path, name: str = "gdpr") -> None:
    fresh = _compiled(name)
    assert prepared.ruleset(fresh.sources, DEFAULT) is None
    rebuilt: Any = prepared.rebuild(fresh.sources, DEFAULT)  # what unpickling does: compiles instead
    assert rebuilt.program == fresh.program


# A ruleset is read from its kit (the fast path, the program read later) or
# from its compiled form: each tampering is tried on each, the other removed.
KINDS = pytest.mark.parametrize("suffix", [prepared.RULESET_SUFFIX, prepared.KIT_SUFFIX])


def _only(artefacts: Path, suffix: str) -> Path:
    """The artefact of gdpr with ``suffix``, its other form gone."""
    other = prepared.KIT_SUFFIX if suffix == prepared.RULESET_SUFFIX else prepared.RULESET_SUFFIX
    (artefacts / ("gdpr" + other)).unlink()
    return artefacts / ("gdpr" + suffix)


@KINDS
def test_a_payload_changed_in_place_is_not_used(artefacts: Path, suffix: str) -> None:
    path = _only(artefacts, suffix)
    data = bytearray(path.read_bytes())
    data[-10] ^= 1
    path.write_bytes(bytes(data))
    _differs(artefacts)


@KINDS
def test_a_truncated_or_foreign_file_is_not_used(artefacts: Path, suffix: str) -> None:
    path = _only(artefacts, suffix)
    path.write_bytes(path.read_bytes()[:1000])
    _differs(artefacts)
    path.write_bytes(b"\x80\x05not an artefact")
    _differs(artefacts)


@KINDS
def test_another_ruleset_under_the_name_is_not_used(artefacts: Path, suffix: str) -> None:
    path = _only(artefacts, suffix)
    shutil.copy(artefacts / ("fi-health" + suffix), path)
    _differs(artefacts)


@KINDS
def test_an_artefact_of_a_changed_library_is_not_used(artefacts: Path, suffix: str) -> None:
    path = _only(artefacts, suffix)
    _rewrite(path, lambda header, payload: ({**header, "library": "sha256:0"}, payload))
    _differs(artefacts)
    _rewrite(path, lambda header, payload: (
        {**header, "modules": [*header["modules"], "../../outside.py"]}, payload))
    _differs(artefacts)


@KINDS
def test_an_artefact_of_another_format_or_release_is_not_used(artefacts: Path, suffix: str) -> None:
    path = _only(artefacts, suffix)
    _rewrite(path, lambda header, payload: ({**header, "format": -1}, payload))
    _differs(artefacts)
    shutil.copy(_package("gdpr" + suffix), path)
    _rewrite(path, lambda header, payload: ({**header, "version": "0.0.0"}, payload))
    _differs(artefacts)


# every fact the gdpr rules read known: the generated function's incident
COMPLETE = {
    "became_aware_at": "2026-11-20T09:30:00+02:00", "breach_types": ["confidentiality"],
    "data_categories": ["health", "identity_number", "contact"], "subjects": 1, "vulnerable_subjects": False,
    "malicious": False, "exposed_to": "outsider", "retrieval": "not_retrieved", "encryption": "none",
    "identifiability": "direct", "possible_harms": [], "role": "controller", "significance": "significant",
    "password_hashing": "state_of_the_art", "hash_secret_compromised": False, "recipients": 1,
    "exposure_time": "P2D", "detection_delay": "PT6H", "key_compromised": False, "restoration": "complete",
    "restore_time": "PT1H", "wrong_data_use": "unused", "high_risk_averted": False,
    "contact_disproportionate": False,
}


def test_a_ruleset_from_its_kit_reads_its_program_only_when_asked(artefacts: Path) -> None:
    """The kit alone: its ruleset assesses, and compiles its program from
    the sources when the compiled form is not there."""
    (artefacts / "gdpr.ruleset").unlink()
    fresh = _compiled("gdpr")
    kit_made: Any = prepared.ruleset(fresh.sources, DEFAULT)
    assert kit_made is not None and kit_made._kit is not None and "program" not in vars(kit_made)
    assert fresh.validate(COMPLETE).complete
    assert kit_made.assess(COMPLETE) == fresh.assess(COMPLETE)
    assert "program" not in vars(kit_made)  # a complete incident needs none
    incident = json.loads((ROOT / "examples" / "ransomware-hospital-30h.json").read_text(encoding="utf-8"))
    assert kit_made.assess(incident) == fresh.assess(incident)  # (the interpreter's, on the program)
    assert kit_made.program == fresh.program and kit_made.warnings == fresh.warnings


def test_a_fresh_process_assesses_a_complete_incident_without_the_compiler() -> None:
    code = ("import sys, json, breachrules\n"
            "rs = breachrules.bundled('gdpr')\n"
            "a = rs.assess(json.loads(sys.stdin.read()))\n"
            "print(json.dumps([a.to_dict(), sorted(m for m in sys.modules if m.startswith('breachrules'))]))")
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(COMPLETE), capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assessment, modules = json.loads(done.stdout)
    assert assessment == _compiled("gdpr").assess(COMPLETE).to_dict()
    for compiler in ("breachrules.program", "breachrules.ir", "breachrules.codegen", "breachrules.parser",
                     "breachrules.interpreter"):
        assert compiler not in modules, REBUILD


def _package(file: str) -> Path:
    return resources.PACKAGE / "artefacts" / file


@pytest.mark.parametrize("name", resources.bundled_names())
def test_each_generated_validator_is_prepared(name: str) -> None:
    from breachrules import validator

    ruleset = _compiled(name)
    source = validator.generate(ruleset.program, ruleset._read)[0]
    found = prepared.generated_code(validator.filename(ruleset.program), source)
    assert found == prepared.compile_source(source, validator.filename(ruleset.program)), REBUILD


def test_generated_code_of_another_python_or_tampered_is_not_used(artefacts: Path) -> None:
    from breachrules import codegen

    ruleset = _compiled("gdpr")
    source, filename = codegen.generate(ruleset.program, traced=True), codegen.filename(ruleset.program, True)
    try:
        _forget()
        assert prepared.generated_code(filename, source) is not None  # the copy, as it is
        _rewrite(artefacts / prepared.GENERATED, lambda header, payload: ({**header, "python": "00000d0a"}, payload))
        _forget()
        assert prepared.generated_code(filename, source) is None  # bytecode of another Python
        _rewrite(artefacts / prepared.GENERATED, lambda header, payload: (header, payload[:-1] + b"\0"), rehash=False)
        _forget()
        assert prepared.generated_code(filename, source) is None  # bytes changed in place
        assert ruleset.assess(COMPLETE).risk == "high"  # compiled now, with the same answer
    finally:
        _forget()


def _forget() -> None:
    """Read the artefacts again (they are read once per process)."""
    prepared._read.cache_clear()
    prepared._generated_table.cache_clear()


@KINDS
def test_a_pickle_that_asks_for_a_function_is_refused(artefacts: Path, suffix: str) -> None:
    class Call:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.getcwd, ())

    _rewrite(_only(artefacts, suffix), lambda header, payload: (header, pickle.dumps((Call(), ["gdpr"]))))
    _differs(artefacts)
    _rewrite(artefacts / "grammar.tables", lambda header, payload: (header, pickle.dumps({"data": Call()})))
    assert prepared.lark_parser(prepared.grammar_text(), parser.lark_options()) is None


def test_a_ruleset_edited_since_is_compiled() -> None:
    fresh = _compiled("gdpr")
    source = fresh.sources[-1]
    edited = (type(source)(source.file, source.text + "\n# edited\n", source.catalogs),)
    assert prepared.ruleset(edited, DEFAULT) is None
    other_limits = Limits(max_bytes=DEFAULT.max_bytes + 1)
    assert prepared.ruleset(fresh.sources, other_limits) is None  # prepared under the default limits only
    assert prepared.ruleset(fresh.sources, DEFAULT) is not None


def test_a_grammar_edited_since_is_built() -> None:
    text = prepared.grammar_text()
    assert prepared.lark_parser(text + "\n// edited\n", parser.lark_options()) is None
    assert prepared.lark_parser(text, parser.lark_options(keep_all_tokens=True)) is not None


def test_a_catalog_edited_since_is_compiled(tmp_path: Path) -> None:
    """A copy of a bundled ruleset with its catalogs: the same bytes give
    the prepared catalog, an edited one is compiled and its words shown."""
    gdpr = resources.bundled_path("gdpr")
    assert gdpr is not None
    shutil.copy(gdpr, tmp_path / "gdpr.rules")
    shutil.copytree(resources.rulesets_dir() / "locale", tmp_path / "locale")
    as_shipped = breachrules.load(tmp_path / "gdpr.rules")
    po = tmp_path / "locale" / "fi" / "LC_MESSAGES" / "gdpr.po"
    data = po.read_bytes()
    assert prepared.catalog("gdpr", "fi", data) is not None
    first_msgid, first_text = _first_entry(po)
    word = as_shipped.messages("fi")(first_msgid)
    assert word == first_text
    other = tmp_path / "edited"  # (catalogs are read once per path)
    shutil.copytree(tmp_path / "locale", other / "locale")
    po = other / "locale" / "fi" / "LC_MESSAGES" / "gdpr.po"
    po.write_bytes(data.replace(f'msgstr "{first_text}"'.encode(), b'msgstr "Muokattu."', 1))
    assert prepared.catalog("gdpr", "fi", po.read_bytes()) is None
    edited = breachrules.loads(gdpr.read_text(encoding="utf-8"), catalogs=other / "locale")
    assert edited.messages("fi")(first_msgid) == "Muokattu."
    assert edited.messages("sv")(first_msgid) == as_shipped.messages("sv")(first_msgid)


def _first_entry(po: Path) -> tuple[str, str]:
    """The first one-line entry of a catalog without placeholders."""
    from babel.messages.pofile import read_po

    for message in read_po(po.open("rb")):
        text = message.string
        if message.id and isinstance(text, str) and text and "{" not in text and '"' not in text \
                and "\\" not in text and f'msgstr "{text}"' in po.read_text(encoding="utf-8"):
            return str(message.id), text
    raise AssertionError("no plain entry")


def test_a_name_is_never_a_path() -> None:
    for name in ("../rulesets/gdpr", "/etc/passwd", ".hidden", "gdpr/../gdpr", "", "gdpr\x00"):
        assert resources.bundled_path(name) is None
        assert prepared.bundled(name) is None
        with pytest.raises(RulesetError):
            breachrules.bundled(name)


# ------------------------------------------------------------------ in use


def test_a_bundled_ruleset_pickles_and_comes_back_the_same() -> None:
    rs = breachrules.bundled("fi-health")
    back = pickle.loads(pickle.dumps(rs))
    assert back.program == rs.program and back.digest == rs.digest
    assert back.assess(COMPLETE) == rs.assess(COMPLETE)


def test_an_extension_of_a_prepared_ruleset_compiles() -> None:
    ours = breachrules.load(ROOT / "examples" / "our-rules" / "our-org.rules")
    assert [s.file for s in ours.sources[:2]] == [s.file for s in breachrules.bundled("fi-health").sources]
    assert ours.program.rules.keys() > breachrules.bundled("fi-health").program.rules.keys()


_FIRST_USE = """
import json, sys
import breachrules
rs = breachrules.bundled("gdpr")
a = rs.assess(json.loads(sys.argv[1]))
before = sorted(sys.modules)
a.explain("fi")
print(json.dumps([before, sorted(sys.modules)]))
"""


def test_first_use_imports_neither_lark_nor_babel_nor_the_compiler() -> None:
    """``bundled`` and ``assess`` on complete facts use what was prepared;
    the first explanation reads compiled catalogs, never a PO file."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    result = subprocess.run([sys.executable, "-c", _FIRST_USE, json.dumps(COMPLETE)], capture_output=True,
                            text=True, env=environment, check=True)
    before, after = json.loads(result.stdout)
    heavy = ("lark", "babel", "breachrules.checker", "breachrules.nodes", "breachrules.parser", "breachrules.loader")
    assert [m for m in before if m.startswith(heavy)] == [], REBUILD
    assert [m for m in after if m.startswith(("babel.messages", "lark", "breachrules.checker"))] == [], REBUILD
