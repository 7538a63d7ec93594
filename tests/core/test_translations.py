"""Spanish is complete: every string marked for translation in every app has a translation.

The test extracts messages from a copy of each app (so the working tree is not touched)
and lists each string that is new, empty or fuzzy in that app's Spanish catalogue.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

import tocsin

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


@pytest.mark.parametrize("app", [app for app in APPS if has_messages(app)], ids=lambda a: a.name)
def test_every_string_has_a_spanish_translation(app, tmp_path, monkeypatch):
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["es"], verbosity=0, no_obsolete=True)
    catalogue = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    if not catalogue.exists():
        return  # makemessages found nothing to translate after all
    untranslated = msgids(catalogue, "--untranslated") + msgids(catalogue, "--only-fuzzy")
    assert not untranslated, (
        f"{app.name}: no Spanish for {untranslated}; run `tocsin makemessages -l es` in "
        f"tocsin/{app.name} and translate every entry"
    )


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
