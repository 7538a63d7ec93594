"""Every language Tocsin offers is complete: every string marked for translation in every
app has a translation in each language of settings.LANGUAGES, and keeps its placeholders.

The test extracts messages from a copy of each app (so the working tree is not touched)
and lists each string that is new, empty or fuzzy in that app's catalogue.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

import tocsin
from tests.translations import MEMBER_APPS, entries

APPS = sorted(
    path
    for path in Path(tocsin.__file__).parent.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name != "__pycache__"
)


def has_messages(app: Path) -> bool:
    for source in [*app.rglob("*.py"), *app.rglob("*.html"), *app.rglob("*.txt")]:
        text = source.read_text(errors="ignore")
        if "translate" in text or "gettext" in text or "blocktranslate" in text or "_(" in text:
            return True
    return False


TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# Somali is checked even where a deployment leaves it out of TOCSIN_LANGUAGES.
MEMBER_LANGUAGES = sorted({*TRANSLATED, "so"})
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]*\}")


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("app", [app for app in APPS if has_messages(app)], ids=lambda a: a.name)
def test_every_string_has_a_translation(app, language, tmp_path, monkeypatch):
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=[language], verbosity=0, no_obsolete=True)
    catalogue = copy / "locale" / language / "LC_MESSAGES" / "django.po"
    if not catalogue.exists():
        return  # makemessages found nothing to translate after all
    untranslated = msgids(catalogue, "--untranslated") + msgids(catalogue, "--only-fuzzy")
    assert not untranslated, (
        f"{app.name}: no {language} for {untranslated}; run `tocsin makemessages -l "
        f"{language} --no-wrap` in tocsin/{app.name} and translate every entry"
    )


@pytest.mark.parametrize("language", MEMBER_LANGUAGES)
@pytest.mark.parametrize("app", MEMBER_APPS)
def test_every_member_facing_string_is_translated_with_its_placeholders(app, language):
    catalogue = Path(tocsin.__file__).parent / app / "locale" / language / "LC_MESSAGES"
    assert (catalogue / "django.po").exists(), f"tocsin/{app} has no {language} catalog"
    found = entries(catalogue / "django.po")
    for msgid, plural, msgstrs in found:
        assert msgstrs and all(text.strip() for text in msgstrs), (
            f"{app}: no {language} for {msgid!r}"
        )
        for text in msgstrs:
            kept = PLACEHOLDER.findall(text)
            if plural is None:
                assert sorted(kept) == sorted(PLACEHOLDER.findall(msgid)), (
                    f"{app}/{language}: {text!r} does not keep the placeholders of {msgid!r}"
                )
            else:  # a plural form may leave out the count, as English "one" does
                both = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural))
                assert set(kept) <= both, f"{app}/{language}: {text!r} adds a placeholder"
    fuzzy = msgids(catalogue / "django.po", "--only-fuzzy")
    assert not fuzzy, f"{app}/{language}: fuzzy, so never shown: {fuzzy}"


def msgids(catalogue: Path, selection: str) -> list[str]:
    """Return the msgids that msgattrib selects (untranslated or fuzzy), header excluded."""
    output = subprocess.run(
        ["msgattrib", selection, "--no-obsolete", "--no-wrap", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for block in output.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("msgid "):
                text = line[len("msgid ") :].strip('"')
                if text:
                    found.append(text)
    return found
