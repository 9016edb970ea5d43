"""Every interface string ships in French and Spanish: none left untranslated or fuzzy (a
guess by the tools, not a translation), the same placeholders as the English, and the compiled
catalogue up to date with its source."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "ombuds" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdf]")


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_string_is_translated(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_placeholders_survive_translation(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    wrong = []
    for e in po.translated_entries():
        if "python-format" not in e.flags:
            continue
        want = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for form in forms:
            got = sorted(PLACEHOLDER.findall(form))
            # A singular form may leave the count out ("one appeal").
            if got != want and not (e.msgid_plural and set(got) <= set(want)):
                wrong.append((e.msgid, form))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_compiled_catalogue_matches_its_source(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    mo = polib.mofile(str(folder / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    stale = [
        e.msgid
        for e in po.translated_entries()
        if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)
    ]
    assert not stale, f"run make messages: {len(stale)} entries not compiled, e.g. {stale[:3]}"
