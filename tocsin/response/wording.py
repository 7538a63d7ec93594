"""What rapid response's alerts say from codes, in each recipient's language.

A verified alert names what was seen by codes a dispatcher picks (decision 0018): each code
is said in the recipient's language, so no word of it reaches anyone in another. The kinds
in alerts.py hand `what_was_seen` to the delivery engine, which calls it as it renders.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

SEEN = {
    "agents_on_foot": _("agents on foot"),
    "unmarked_vehicles": _("unmarked vehicles"),
    "agents_waiting": _("agents waiting or watching outside"),
    "checkpoint": _("a checkpoint"),
    "arrest": _("an arrest in progress"),
    "entering_building": _("agents entering a building"),
    "agents_gone": _("agents leaving or gone"),
}


def what_was_seen(context: dict) -> dict[str, str]:
    """Return the alert's `what` said from its codes of things seen, in the active language;
    nothing for an alert without codes (sent before decision 0018), which keeps its words."""
    seen = context.get("seen")
    if not seen:
        return {}
    return {"what": capfirst(", ".join(str(SEEN[code]) for code in seen if code in SEEN))}


def what_of(context: dict) -> str:
    """Return what an alert of rapid response says is happening, in the active language."""
    return what_was_seen(context).get("what") or str(context.get("what") or "")
