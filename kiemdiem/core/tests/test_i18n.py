"""Vietnamese is the source language (msgids), English the translation in
kiemdiem/locale/en/LC_MESSAGES/django.po. These tests keep the catalogue complete: a new
string without an English translation fails the suite (fix: scripts/update-translations.sh).
"""
from __future__ import annotations

import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import kiemdiem

PACKAGE = Path(kiemdiem.__file__).resolve().parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
FIX = "run scripts/update-translations.sh, translate the listed msgids in {}, then `make messages`".format(
    PO.relative_to(PACKAGE.parent)
)


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_the_active_language():
    # LocaleMiddleware activates the request's language in this thread and nothing switches it
    # back: without this, tests that run later would see English error messages.
    before = translation.get_language()
    yield
    translation.activate(before)


def test_login_page_is_vietnamese_by_default(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Mật khẩu" in html
    assert "Log in" not in html


def test_login_page_is_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Password" in html
    assert "Đăng nhập" not in html and "Mật khẩu" not in html


def test_an_english_browser_still_gets_vietnamese_until_the_user_chooses(client):
    # the users' language is Vietnamese; many browsers say en-US without anyone choosing it
    html = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in html and "Đăng nhập" in html


def test_language_switcher_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Log in" in response.content.decode()


def test_plural_forms_are_translated(cast, client_for):
    client = client_for(cast.users["alice"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/org/{cast.orgs['C1'].pk}/members/").content.decode()
    assert "3 party members" in html


# --- the catalogue -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        wanted = 2 if self.msgid_plural is not None else 1
        return "fuzzy" not in self.flags and len(self.msgstr) >= wanted and all(self.msgstr.values())


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Enough of the PO format for makemessages' output (no header entry returned)."""
    entries, entry, target = [], Entry(), None

    def flush():
        nonlocal entry, target
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith(("#", "|")):
                continue
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        if line.startswith('"'):
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += _unquote(line)
            elif kind == "msgid_plural":
                entry.msgid_plural += _unquote(line)
            else:
                setattr(entry, kind, getattr(entry, kind) + _unquote(line))
            continue
        keyword, _, value = line.partition(" ")
        if (keyword in ("msgid", "msgctxt") and (entry.msgid or entry.msgstr)) or (keyword == "msgctxt" and target):
            flush()
        match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
        if match:
            index = int(match.group(1) or 0)
            entry.msgstr[index] = _unquote(value)
            target = ("msgstr", index)
        elif keyword in ("msgid", "msgctxt", "msgid_plural"):
            setattr(entry, keyword, _unquote(value))
            target = (keyword, None)
        else:
            raise ValueError(f"{path}: cannot read {raw!r}")
    flush()
    return [e for e in entries if e.msgid or e.msgctxt]  # drop the header


def _show(entries) -> str:
    lines = [f"  {e.msgid!r}" + (f" (context {e.msgctxt!r})" if e.msgctxt else "") for e in entries]
    if any(_false_format(e) for e in entries):
        lines.append(
            "  (a msgid with a literal percent sign like \"50% các\" is taken by xgettext for a Python "
            "format (\"% c\"), and msgfmt then refuses its translation: put the line "
            "`# xgettext:no-python-format` right above that _(\"...\") call)"
        )
    return "\n".join(lines)


def _false_format(e: Entry) -> bool:
    return "python-format" in e.flags and "%" in e.msgid and not _PLACEHOLDER.search(e.msgid)


@pytest.fixture(scope="module")
def catalogue():
    assert PO.exists(), f"{PO} is missing: {FIX}"
    return {e.key: e for e in parse_po(PO) if not e.obsolete}


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    missing = [e for e in catalogue.values() if not e.translated]
    assert not missing, f"English translations missing or fuzzy ({FIX}):\n{_show(missing)}"


_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w+)\}")


def test_translations_keep_the_placeholders(catalogue):
    wrong = []
    for e in catalogue.values():
        if not e.translated:
            continue  # reported by test_catalogue_has_no_untranslated_or_fuzzy_entries
        wanted = {m.group(0) for m in _PLACEHOLDER.finditer(e.msgid)}
        if e.msgid_plural is not None:
            # the singular may drop the count ("one member"); the last plural form keeps them all
            wanted = {m.group(0) for m in _PLACEHOLDER.finditer(e.msgid_plural)}
            pairs = [(wanted, e.msgstr[max(e.msgstr)])]
        else:
            pairs = [(wanted, e.msgstr.get(0, ""))]
        for need, text in pairs:
            if text and not need <= {m.group(0) for m in _PLACEHOLDER.finditer(text)}:
                wrong.append(e)
    assert not wrong, f"translations that lose a placeholder:\n{_show(wrong)}"


def test_compiled_catalogue_is_up_to_date(catalogue):
    assert MO.exists(), f"{MO} is missing: run `make messages`"
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in catalogue.values():
        if not e.translated:
            continue
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            ok = compiled.get(msgid) == e.msgstr[0]
        else:
            ok = all(compiled.get((msgid, i)) == text for i, text in e.msgstr.items())
        if not ok:
            stale.append(e)
    assert not stale, f"django.mo is older than django.po: run `make messages`\n{_show(stale)}"


def test_every_string_in_the_code_is_in_the_catalogue(catalogue, tmp_path, monkeypatch):
    """Extract the strings from a copy of the package with Django's makemessages (xgettext)
    and check each one has an English translation."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext (gettext) is missing; CI must have it", pytrace=False)
        pytest.skip("xgettext (gettext) is missing: apt-get install gettext")
    copy = tmp_path / "kiemdiem"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("locale", "static", "tests", "__pycache__", "*.pyc", "*.xlsx"),
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["en"], ignore_patterns=["tests"], verbosity=0)
    extracted = parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 50, "makemessages found suspiciously few strings"
    missing = [e for e in extracted if e.key not in catalogue or not catalogue[e.key].translated]
    assert not missing, f"{len(missing)} strings in the code have no English translation ({FIX}):\n{_show(missing)}"
