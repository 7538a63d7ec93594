"""The translation catalogues as tests read them: the apps whose words members read, and
each catalogue's entries."""

import ast
import re
import subprocess
from pathlib import Path

# What a member reads: their pages and every message they receive. Somali (decision 0019)
# was drafted for these first; the staff side may fall back to English in a new language.
MEMBER_APPS = (
    "accounts",
    "campaigns",
    "core",
    "delivery",
    "hotline",
    "joining",
    "playbooks",
    "pledges",
    "response",
    "votes",
)


def entries(catalogue: Path) -> list[tuple[str, str | None, list[str]]]:
    """Return (msgid, msgid_plural or None, its translations) of every entry but the header."""
    output = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for block in output.split("\n\n"):
        if block.startswith("#~"):
            continue
        fields: dict[str, str] = {}
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                fields[match.group(1)] = ast.literal_eval(match.group(2))
        if fields.get("msgid"):
            translations = [value for key, value in fields.items() if key.startswith("msgstr")]
            found.append((fields["msgid"], fields.get("msgid_plural"), translations))
    return found
