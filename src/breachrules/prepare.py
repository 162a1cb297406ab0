"""Prepare at build time what the first use of the library would compute.

    python -m breachrules.prepare

rewrites the package's ``artefacts`` directory (see
:mod:`breachrules.prepared`, which reads it): the compiled form of each
bundled ruleset, Lark's tables for the grammar and the compiled catalogs.
They are committed, so that a wheel built anywhere ships them; run it
after changing a bundled ruleset, a catalog, the grammar or the compiler
(``tests/test_prepared.py`` fails, naming this command, until then).

The work runs in a fresh interpreter with a fixed hash seed: the artefacts
then name only the library modules that compiling imports, and the same
sources give the same bytes.
"""

from __future__ import annotations

import gettext
import importlib.util
import io
import json
import marshal
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from breachrules import prepared, resources

COMMAND = "python -m breachrules.prepare"


def main(argv: list[str] | None = None) -> int:
    if argv:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    environment = dict(os.environ, PYTHONHASHSEED="0")
    code = "from breachrules.prepare import build; build()"
    return subprocess.run([sys.executable, "-c", code], env=environment, check=False).returncode


def build(directory: Path | None = None) -> list[Path]:
    """Compile everything from source and write the artefacts into
    ``directory`` (the package's, by default), replacing those there."""
    target = directory or prepared.ARTEFACTS
    package = prepared.ARTEFACTS
    with tempfile.TemporaryDirectory() as empty:
        prepared.ARTEFACTS = Path(empty)  # compile from source, whatever is there now
        try:
            made = {**_rulesets(), **_generated(), **_grammar(), **_catalogs()}
        finally:
            prepared.ARTEFACTS = package
    modules = loaded_modules()
    stamp = {"modules": list(modules), "library": prepared.library_fingerprint(modules)}
    target.mkdir(parents=True, exist_ok=True)
    previous = {file: _kept(target / file) for file in made}
    for old in target.iterdir():  # artefacts of what no longer exists go too
        if (old.name.endswith((prepared.RULESET_SUFFIX, prepared.KIT_SUFFIX, prepared.CATALOG_SUFFIX,
                               prepared.GRAMMAR_SUFFIX))
                or old.name == prepared.GENERATED) and old.name not in made:
            old.unlink()
    written = []
    for file, (fields, payload, stamped) in sorted(made.items()):
        path = target / file
        fields = {**fields, **(stamp if stamped else {})}
        old_fields, old_bytes = previous[file] or ({}, b"")
        data = prepared.artefact_bytes(fields, payload)
        if file.endswith(prepared.GRAMMAR_SUFFIX) and old_fields == prepared.header(**fields):
            # Lark numbers its states differently on every run: tables made
            # from the same grammar, options and Lark are kept as they are.
            data = old_bytes
        if data != old_bytes:
            path.write_bytes(data)
            written.append(path)
            print(f"wrote {path}")
    print(f"{len(written)} of {len(made)} artefacts rewritten in {target}")
    return written


def _kept(path: Path) -> tuple[dict[str, Any], bytes] | None:
    """An artefact's header without its payload's hash, and its bytes."""
    try:
        data = path.read_bytes()
        fields = json.loads(data.partition(b"\n")[0])
    except (OSError, ValueError):
        return None
    if not isinstance(fields, dict) or fields.pop("payload", None) != prepared.sha(data.partition(b"\n")[2]):
        return None
    return fields, data


def loaded_modules() -> tuple[str, ...]:
    """The library's modules imported so far, as paths inside the package:
    what the compiled forms depend on."""
    found = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if (name == "breachrules" or name.startswith("breachrules.")) and file:
            relative = Path(file).resolve().relative_to(resources.PACKAGE)
            found.add(relative.as_posix())
    return tuple(sorted(found))


Made = dict[str, tuple[dict[str, Any], bytes, bool]]  # file: header fields, payload, stamped with the modules


def _rulesets() -> Made:
    from breachrules import kit, loader
    from breachrules.parser import parse
    from breachrules.ruleset import vocabulary_of

    made: Made = {}
    for name in resources.bundled_names():
        path = resources.bundled_path(name)
        assert path is not None
        ruleset: Any = loader.load_file(path)
        domains = [parse(s.text, s.file).header.name.name for s in ruleset.sources]
        words = vocabulary_of(ruleset.program)
        payload = pickle.dumps((ruleset.program, ruleset.warnings, domains, words), protocol=5)
        fields = {"kind": "ruleset", "name": name, "grammar": prepared.grammar_sha(),
                  "chain": [[s.file, prepared.text_sha(s.text)] for s in ruleset.sources]}
        made[prepared.ruleset_file(name)] = (fields, payload, True)
        ruleset._static.words = words  # (what the kit's results say of the ruleset's words)
        made_kit = kit.make(ruleset)
        if made_kit is not None:
            made[prepared.kit_file(name)] = ({**fields, "kind": "kit"},
                                                pickle.dumps((made_kit, domains), protocol=5), True)
    return made


def _generated() -> Made:
    """The generated functions of each bundled ruleset (validate, decide,
    assess), compiled by this Python and keyed by their source: compiling
    them is most of a first assessment's work beyond the imports."""
    from breachrules import codegen, loader, validator

    table = {}
    for name in resources.bundled_names():
        path = resources.bundled_path(name)
        assert path is not None
        ruleset: Any = loader.load_file(path)
        program = ruleset.program
        sources = [(validator.filename(program), validator.generate(program, ruleset._read)[0])]
        sources += [(codegen.filename(program, traced), codegen.generate(program, traced=traced))
                    for traced in (False, True)]
        for filename, source in sources:
            table[prepared.code_key(filename, source)] = prepared.compile_source(source, filename)
    fields = {"kind": "code", "python": importlib.util.MAGIC_NUMBER.hex()}
    return {prepared.GENERATED: (fields, marshal.dumps(dict(sorted(table.items()))), False)}


def _grammar() -> Made:
    from lark import Lark, __version__

    from breachrules import parser

    made: Made = {}
    text = prepared.grammar_text()
    for keep_all_tokens in (False, True):
        options = parser.lark_options(keep_all_tokens)
        buffer = io.BytesIO()
        Lark(text, **options).save(buffer)
        data = pickle.loads(buffer.getvalue())  # Lark's own pickle of plain data: made here, just now
        fields = {"kind": "grammar", "grammar": prepared.text_sha(text), "lark": __version__, "options": options}
        made[prepared.grammar_file(options)] = (fields, pickle.dumps(data, protocol=5), False)
    return made


def _catalogs() -> Made:
    from babel.messages.pofile import read_po

    from breachrules import catalogs, i18n

    sources = [(path, i18n.LIBRARY_DOMAIN, locale) for locale in i18n.LOCALES
               if (path := i18n.catalog_path(resources.library_locale_dir(), locale, i18n.LIBRARY_DOMAIN)).is_file()]
    for locale in i18n.LOCALES:
        directory = resources.rulesets_dir() / "locale" / locale / "LC_MESSAGES"
        sources += [(path, path.stem, locale) for path in sorted(directory.glob("*.po"))]
    made: Made = {}
    for path, domain, locale in sources:
        data = path.read_bytes()
        catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
        translations: Any = gettext.GNUTranslations(io.BytesIO(i18n.mo_bytes(catalog)))
        # the header ("") is no message, and Babel stamps it with the time of reading
        messages = {key: text for key, text in translations._catalog.items() if key != ""}
        compiled = prepared.Catalog(messages, plural_expression(translations),
                                    catalogs.obsolete_entries(catalog), catalogs.placeholder_names(catalog))
        fields = {"kind": "catalog", "domain": domain, "locale": locale, "source": prepared.sha(data)}
        payload = json.dumps(compiled.to_json(), sort_keys=True, ensure_ascii=True).encode("ascii")
        made[prepared.catalog_file(domain, locale)] = (fields, payload, True)
    return made


def plural_expression(translations: Any) -> str | None:
    """The expression gettext took its plural forms from (as it reads it
    from the ``Plural-Forms`` header), or None for its default."""
    header = translations._info.get("plural-forms")
    return None if header is None else str(header.split(";")[1].split("plural=")[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
