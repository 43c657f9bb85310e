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
