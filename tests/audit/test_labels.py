"""Every action the code writes to the audit log reads as words on the admin's screen.

An action without words shows its dotted name ("structure.assessment.created") to a union
admin reading the log. The test finds each dotted action in the source (every string of the
form app.noun.verb), so a new action without words fails here before anyone reads it.
"""

import ast
import re
from pathlib import Path

from django.utils import translation

import tocsin
from tocsin.audit.labels import ACTION_LABELS, action_label

ROOT = Path(tocsin.__file__).parent
APPS = [path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()]
DOTTED = re.compile(rf"^({'|'.join(APPS)})\.[a-z_]+\.[a-z_]+$")
NOT_ACTIONS = {"demo.tocsin.test"}  # the demo world's email domain


def dotted_strings() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for source in ROOT.rglob("*.py"):
        if "migrations" in source.parts or source == ROOT / "audit" / "labels.py":
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and DOTTED.match(text) and text not in NOT_ACTIONS:
                found.setdefault(text, source.relative_to(ROOT))
    return found


def test_every_recorded_action_has_words():
    found = dotted_strings()
    assert "votes.vote.created" in found  # the search finds actions at all
    missing = {action: str(path) for action, path in found.items() if action not in ACTION_LABELS}
    assert not missing, f"add words for these to tocsin/audit/labels.py: {missing}"


def test_an_event_decision_reads_as_words_in_english_and_spanish():
    # decide_event writes campaigns.event.<state>, a name no string spells out whole.
    assert action_label("campaigns.event.approved") == "approved a proposed event"
    with translation.override("es"):
        assert str(action_label("campaigns.event.declined")) != "declined a proposed event"
