"""The language files `Panel/locales/{code}.json` (issue 14) are complete and consistent.

`en.json` is the reference. Every file must parse, carry `meta` with its own code, its native
name and its writing direction, and hold in each section (`panel`, `widget`, and since issue 15
`mail`, the server's mails, whose English is SPEC's word for word) exactly English's keys; a pluralised
text (`key_one`, `key_few`, ...) is compared by its base key, and each base must have exactly the
CLDR categories that babel lists for the language plus `other` (the panel picks one with
Intl.PluralRules, the server with ICU: both CLDR). No text may be empty, and every `{placeholder}`
of the English text must be in the translation; the one allowed exception is `{n}` in a plural
category that stands for a single number in that language (Arabic "zero" is 0 only, Hebrew
"two" is 2 only), where languages word the number ("جلستان", "שני מפגשים").

The checker runs against the real files and against broken copies in a temporary folder, each
of which must be refused, so a checker that passes everything would fail here.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

babel = pytest.importorskip("babel", reason="babel is needed (scripts/setup.sh test installs it)")

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "Panel" / "locales"

# The 14 languages of SPEC (issue 14) with their native names; ar and he are right-to-left.
LANGUAGES = {
    "en": "English", "pl": "Polski", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
    "pt": "Português", "nl": "Nederlands", "sv": "Svenska", "cs": "Čeština", "uk": "Українська", "ja": "日本語",
    "ar": "العربية", "he": "עברית",
}
RTL = {"ar", "he"}
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def plural_base(key: str) -> tuple[str, str] | None:
    """("sessionsUnit", "few") for "sessionsUnit_few"; None for a plain key."""
    head, _, tail = key.rpartition("_")
    return (head, tail) if head and tail in CATEGORIES else None


def expected_categories(code: str) -> set[str]:
    return set(babel.Locale.parse(code).plural_form.tags) | {"other"}


def single_number_categories(code: str) -> set[str]:
    """The categories that only one whole number (of 0..1000) falls into in this language."""
    rule = babel.Locale.parse(code).plural_form
    members: dict[str, list[int]] = {}
    for number in range(0, 1001):
        members.setdefault(rule(number), []).append(number)
    return {category for category, numbers in members.items() if len(numbers) == 1}


def key_shape(section: dict) -> tuple[set[str], dict[str, set[str]]]:
    """(plain keys and plural bases, {base: categories present})."""
    names, plurals = set(), {}
    for key in section:
        parsed = plural_base(key)
        if parsed:
            names.add(parsed[0])
            plurals.setdefault(parsed[0], set()).add(parsed[1])
        else:
            names.add(key)
    return names, plurals


def english_text(section: dict, key: str) -> str | None:
    """The English text a key is translated from: the same key, or for a plural key English's
    `other` form of its base."""
    if key in section:
        return section[key]
    parsed = plural_base(key)
    return section.get(f"{parsed[0]}_other") if parsed else None


def problems_of(folder: Path) -> list[str]:
    """Every way the language files in `folder` break the rules; empty when they are fine."""
    found: list[str] = []
    paths = sorted(folder.glob("*.json"))
    codes = {path.stem for path in paths}
    if codes != set(LANGUAGES):
        found.append(f"the files are {sorted(codes)}, not the 14 languages {sorted(LANGUAGES)}")
    documents: dict[str, dict] = {}
    for path in paths:
        try:
            documents[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            found.append(f"{path.name} does not parse: {error}")
    reference = documents.get("en")
    if not isinstance(reference, dict):
        return found + ["en.json is missing or not an object"]
    sections = [name for name in reference if name != "meta"]
    if "panel" not in sections:
        found.append("en.json has no panel section")
    for code, document in sorted(documents.items()):
        if not isinstance(document, dict):
            found.append(f"{code}: not a JSON object")
            continue
        meta = document.get("meta")
        wanted_meta = {"code": code, "name": LANGUAGES.get(code), "dir": "rtl" if code in RTL else "ltr"}
        if meta != wanted_meta:
            found.append(f"{code}: meta is {meta!r}, expected {wanted_meta!r}")
        if set(document) != set(reference):
            found.append(f"{code}: sections {sorted(document)}, English has {sorted(reference)}")
        single = single_number_categories(code) if code in LANGUAGES else set()
        for name in sections:
            section, english = document.get(name), reference[name]
            if not isinstance(section, dict):
                found.append(f"{code}.{name}: missing or not an object")
                continue
            names, plurals = key_shape(section)
            english_names, english_plurals = key_shape(english)
            for key in sorted(english_names - names):
                found.append(f"{code}.{name}: missing key {key}")
            for key in sorted(names - english_names):
                found.append(f"{code}.{name}: extra key {key}")
            for base in sorted(names & english_names):
                if (base in plurals) != (base in english_plurals):
                    found.append(f"{code}.{name}.{base}: plural in one file, plain in the other")
            if code in LANGUAGES:
                wanted = expected_categories(code)
                for base, present in sorted(plurals.items()):
                    if present != wanted:
                        found.append(f"{code}.{name}.{base}: plural categories {sorted(present)}, "
                                     f"CLDR (babel) has {sorted(wanted)}")
            for key, text in section.items():
                if not isinstance(text, str) or not text.strip():
                    found.append(f"{code}.{name}.{key}: empty or not a string: {text!r}")
                    continue
                source = english_text(english, key)
                if source is None:
                    continue
                missing = set(PLACEHOLDER.findall(source)) - set(PLACEHOLDER.findall(text))
                parsed = plural_base(key)
                if parsed and parsed[1] in single and missing == {"n"}:
                    continue  # the word names its one number
                for placeholder in sorted(missing):
                    found.append(f"{code}.{name}.{key}: lacks {{{placeholder}}} of the English {source!r}: {text!r}")
    return found


def test_the_codes_are_the_fourteen_of_the_spec():
    assert {path.stem for path in LOCALES.glob("*.json")} == set(LANGUAGES)
    assert len(LANGUAGES) == 14


def test_every_language_file_is_complete():
    problems = problems_of(LOCALES)
    assert not problems, "\n".join(problems)


# The server's mails (issue 15, SPEC "Mail keys"): exactly these keys, these English texts.
MAIL_KEYS = {
    "resetSubject": "Reset your Attendify password",
    "resetIntro": "Someone asked to reset the password of the Attendify account {email}.",
    "resetAction": "Choose a new password",
    "resetExpiry": "The link works once, within one hour.",
    "resetIgnore": "If it was not you, ignore this mail: your password stays as it is.",
    "emailSubject": "Confirm your new e-mail address",
    "emailIntro": "Confirm that {email} is the new address of your Attendify account.",
    "emailAction": "Confirm this address",
    "emailExpiry": "The link works once, within 24 hours.",
    "emailIgnore": "If you did not ask for this, ignore this mail: nothing changes.",
    "emailChangedSubject": "Your Attendify e-mail address was changed",
    "emailChangedBody": ("The address of your Attendify account is now {email}. If you did not do this, reset your "
                         "password at once."),
    "passwordChangedSubject": "Your Attendify password was changed",
    "passwordChangedBody": ("The password of your Attendify account {email} was changed and its other sessions were "
                            "signed out. If you did not do this, reset your password at once."),
    "linkFallback": "If the button does not work, open this address:",
    "signature": "— Attendify",
}


def test_the_mail_section_is_the_spec_s():
    """English's mail section is SPEC's, key for key and word for word; every language has the
    same keys (problems_of checks them like the other sections), none of them plural, and keeps
    each {placeholder} of the English text exactly (a placeholder the server does not fill
    would be mailed as it stands)."""
    english = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))["mail"]
    assert english == MAIL_KEYS
    for code in LANGUAGES:
        mail = json.loads((LOCALES / f"{code}.json").read_text(encoding="utf-8"))["mail"]
        assert set(mail) == set(MAIL_KEYS), code
        for key, text in mail.items():
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(MAIL_KEYS[key])), (code, key, text)


def test_the_panel_lists_the_same_languages():
    """The panel's picker (modules/i18n.js) names the same 14 codes, names and directions."""
    source = (REPO / "Panel" / "modules" / "i18n.js").read_text(encoding="utf-8")
    listed = re.findall(r'\{ code: "(\w+)", name: "([^"]+)", dir: "(ltr|rtl)"', source)
    assert {code: (name, direction) for code, name, direction in listed} == {
        code: (name, "rtl" if code in RTL else "ltr") for code, name in LANGUAGES.items()}


def broken_copies():
    """(what is broken, how to break a copy of the files); each must be refused."""
    def edit(code, change):
        def apply(folder: Path):
            path = folder / f"{code}.json"
            document = json.loads(path.read_text(encoding="utf-8"))
            change(document)
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return apply

    def first_plural(panel: dict) -> str:
        return next(key for key in panel if plural_base(key))

    def drop_key(document):
        document["panel"].pop("signInTitle")

    def extra_key(document):
        document["panel"]["noSuchKey"] = "Extra"

    def empty_text(document):
        document["panel"]["save"] = " "

    def lost_placeholder(document):
        document["panel"]["placementAdded"] = "Platzierung hinzugefügt."

    def lost_count(document):
        # Polish "few" covers 2-4, 22-24...: the number cannot be left out.
        document["panel"]["clickCount_few"] = "kilka kliknięć"

    def missing_category(document):
        base = plural_base(first_plural(document["panel"]))[0]
        document["panel"].pop(f"{base}_many")

    def extra_category(document):
        base = plural_base(first_plural(document["panel"]))[0]
        document["panel"][f"{base}_few"] = "Tage"

    def drop_mail_key(document):
        document["mail"].pop("resetAction")

    def lost_mail_placeholder(document):
        # The server fills {email} in; a translation without it would mail a sentence about nobody.
        document["mail"]["resetIntro"] = "Jemand möchte das Passwort zurücksetzen."

    def empty_mail_text(document):
        document["mail"]["signature"] = ""

    def no_mail_section(document):
        document.pop("mail")

    def wrong_direction(document):
        document["meta"]["dir"] = "ltr"

    def wrong_code(document):
        document["meta"]["code"] = "fr"

    def not_json(folder: Path):
        (folder / "it.json").write_text('{"meta": {"code": "it"}, "panel": {', encoding="utf-8")

    def missing_file(folder: Path):
        (folder / "sv.json").unlink()

    def fifteenth(folder: Path):
        shutil.copy(folder / "en.json", folder / "zz.json")

    return [
        ("a key missing", edit("fr", drop_key)),
        ("an extra key", edit("es", extra_key)),
        ("an empty text", edit("nl", empty_text)),
        ("a placeholder missing", edit("de", lost_placeholder)),
        ("{n} missing where a category holds many numbers", edit("pl", lost_count)),
        ("a CLDR category missing", edit("uk", missing_category)),
        ("a category the language does not have", edit("de", extra_category)),
        ("a mail key missing", edit("it", drop_mail_key)),
        ("a mail placeholder missing", edit("de", lost_mail_placeholder)),
        ("an empty mail text", edit("ja", empty_mail_text)),
        ("a language without the mail section", edit("he", no_mail_section)),
        ("Arabic marked left-to-right", edit("ar", wrong_direction)),
        ("a file naming another code", edit("cs", wrong_code)),
        ("a file that does not parse", not_json),
        ("a language missing", missing_file),
        ("a language too many", fifteenth),
    ]


@pytest.mark.parametrize(("broken", "damage"), broken_copies(), ids=[name for name, _ in broken_copies()])
def test_the_checker_refuses_a_broken_copy(tmp_path, broken, damage):
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    assert problems_of(folder) == [], "the untouched copy must pass"
    damage(folder)
    assert problems_of(folder), f"the checker accepted {broken}"


def test_single_number_categories_are_what_cldr_says():
    """The {n} exception applies only where a category is one number."""
    assert single_number_categories("ar") >= {"zero", "one", "two"}
    assert "one" not in single_number_categories("uk")  # 1, 21, 31...
    assert "one" not in single_number_categories("fr")  # 0 and 1
    assert single_number_categories("he") >= {"one", "two"}
