from __future__ import annotations

import re
from pathlib import Path

import polib
from django.utils import translation

import bioproof

PO = Path(bioproof.__file__).parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_korean_translation() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated and not fuzzy


def test_compiled_catalog_is_current() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.exists()
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))}
    source = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.msgid_plural}
    stale = {k for k, v in source.items() if compiled.get(k) != v}
    assert not stale, f"run compilemessages: {sorted(stale)[:5]}"


def test_korean_is_served() -> None:
    with translation.override("ko"):
        assert translation.gettext("Log in") == "로그인"


def test_translations_keep_every_placeholder() -> None:
    """A msgstr that drops or invents a %(name)s placeholder raises KeyError at run time."""
    placeholder = re.compile(r"%\(\w+\)[sdf]")
    wrong = []
    for e in polib.pofile(str(PO)):
        msgstrs = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for s in msgstrs:
            if set(placeholder.findall(e.msgid)) != set(placeholder.findall(s)):
                wrong.append((e.msgid, s))
    assert not wrong


def test_no_particle_stand_ins() -> None:
    """Korean chooses its particle from the word before it: a msgstr never writes "은(는)",
    "이(가)", "을(를)", "과(와)" or "(으)로" — it is reworded so that no particle follows a
    placeholder (or the particle is chosen with ``core.i18n.josa``)."""
    stand_in = re.compile(r"\((?:은|는|이|가|을|를|과|와|으)\)|은\(는\)|이\(가\)|을\(를\)")
    found = []
    for e in polib.pofile(str(PO)):
        msgstrs = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        found += [s for s in msgstrs if stand_in.search(s)]
    assert not found, found[:5]


def _analysis_messages() -> list[tuple[str, int, str]]:
    """Every message template of the analysis library: ``N_("...")`` and the literal first
    argument of ``...Error("...")`` — except the command-line options of ``analysis/cli*.py``,
    which stay English."""
    import ast

    found = []
    root = Path(bioproof.__file__).parent / "analysis"
    for path in sorted(root.rglob("*.py")):
        if path.name.startswith("cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            first = node.args[0]
            if name == "N_" or name.endswith("Error"):
                if isinstance(first, ast.JoinedStr):
                    found.append((path.name, node.lineno, "f-string"))
                elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((path.name, node.lineno, first.value))
    return found


def test_analysis_messages_are_templates() -> None:
    """An f-string message cannot be translated: the library writes a template with params."""
    assert not [m for m in _analysis_messages() if m[2] == "f-string" and m[0] != "result.py"]


def test_analysis_messages_have_a_korean_translation() -> None:
    msgids = {e.msgid for e in polib.pofile(str(PO)) if e.msgstr}
    missing = [m for m in _analysis_messages() if m[2] != "f-string" and m[2] not in msgids]
    assert not missing, missing[:10]


def test_no_particle_stand_ins_in_source_text() -> None:
    """Korean written directly in code or templates (report labels, PDFs) follows the same rule."""
    stand_in = re.compile(r"은\(는\)|이\(가\)|을\(를\)|과\(와\)|\(으\)로")
    root = Path(bioproof.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and path.name != "i18n.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if stand_in.search(line)
    ]
    assert not found, found
