"""The Vietnamese catalogue: complete, compiled in step with its .po, and safe to interpolate."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
VI_PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# %(name)s / %(n)d named placeholders, bare %s / %d, and str.format fields such as {} or {level}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdifr]|\{[^{}]*\}")

VI_CATALOGUE = polib.pofile(str(VI_PO))
ENTRIES = [entry for entry in VI_CATALOGUE if not entry.obsolete]


def entry_id(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def translations_of(entry: polib.POEntry) -> list[str]:
    """Every msgstr of an entry: the single msgstr, or each plural form."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_vi_header():
    """The vi catalogue declares Vietnamese, UTF-8 and one plural form, and its header is not fuzzy."""
    assert VI_CATALOGUE.metadata["Language"] == "vi"
    assert "charset=UTF-8" in VI_CATALOGUE.metadata["Content-Type"]
    assert VI_CATALOGUE.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not VI_CATALOGUE.metadata_is_fuzzy


def test_en_header():
    """The en catalogue (identity: empty msgstrs) declares English and two plural forms."""
    catalogue = polib.pofile(str(EN_PO))
    assert catalogue.metadata["Language"] == "en"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert not catalogue.metadata_is_fuzzy


def test_vi_catalogue_is_not_empty():
    """makemessages found the project's strings, so the per-entry tests below are not vacuous."""
    assert len(ENTRIES) > 100


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_every_entry_is_translated_and_not_fuzzy(entry):
    """Every vi entry has a non-empty translation (each plural form for plural entries) and no fuzzy flag."""
    assert "fuzzy" not in entry.flags
    if entry.msgid_plural:
        assert sorted(entry.msgstr_plural) == [0], "Vietnamese has exactly one plural form: msgstr[0]"
    for text in translations_of(entry):
        assert text.strip(), f"empty translation for {entry.msgid!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_compiled_catalogue_matches_po(entry):
    """Under Vietnamese, Django's gettext returns exactly the .po msgstr: the committed .mo is up to date."""
    with translation.override("vi"):
        if entry.msgid_plural:
            for n in (1, 2, 5):
                if entry.msgctxt:
                    got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                else:
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                assert got == entry.msgstr_plural[0], f"n={n}"
        elif entry.msgctxt:
            assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert translation.gettext(entry.msgid) == entry.msgstr


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_placeholders_are_kept(entry):
    """Each translation carries exactly the placeholders of its msgid (%(name)s, {} …), none lost or added."""
    expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    for text in translations_of(entry):
        assert placeholders(text) == expected, f"{entry.msgid!r} -> {text!r}"


def test_sign_in_is_vietnamese():
    """The sign-in label reads “Đăng nhập” in Vietnamese and stays “Sign in” in English."""
    with translation.override("vi"):
        assert translation.gettext("Sign in") == "Đăng nhập"
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"
