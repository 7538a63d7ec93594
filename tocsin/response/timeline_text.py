"""Say a line of an incident's timeline as a sentence in the reader's language.

The services write each line with a dotted action name and a detail of ids, counts, states
and the words of alerts and answers (services/timeline.log). `sentence(action, detail)`
turns one into words, falling back to the action name for a line it does not know (or one
whose detail lacks what its sentence needs), so that no line of the record is ever lost.
`said(detail)` returns the words someone typed with it: an alert's message, an answer's note.

The sentences leave out who acted: a timeline shows the actor beside them.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Incident, Report, Response


def short(public_id) -> str:
    """Return the first characters of a public id, as Incident.short_id does."""
    return str(public_id or "")[:8]


def label(choices: type[models.TextChoices], value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def local_time(value: str) -> str:
    """Return an ISO timestamp from a detail as local time (HH:MM)."""
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime("%H:%M")


def with_photo(text: str, detail: dict) -> str:
    return f"{text} {_('Sent a photo.')}" if detail.get("photo") else text


def report_received(detail: dict) -> str:
    source = label(Report.Source, detail["source"])
    if detail.get("joined"):
        text = _("Another report came in (%(source)s).") % {"source": source}
    else:
        text = _("The first report came in (%(source)s).") % {"source": source}
    photos = int(detail.get("photos") or 0)
    if photos:
        text += " " + ngettext(
            "It came with %(count)d photo.", "It came with %(count)d photos.", photos
        ) % {"count": photos}
    return text


def taken_over(detail: dict) -> str:
    return _("Took the incident over from %(previous)s.") % {"previous": detail["previous"]}


def dismissed(detail: dict) -> str:
    return _("Dismissed the incident: %(reason)s.") % {
        "reason": label(Incident.DismissReason, detail["reason"])
    }


def merged_away(detail: dict) -> str:
    count = int(detail["reports"])
    return ngettext(
        "Merged this incident into incident %(incident)s, with its %(count)d report.",
        "Merged this incident into incident %(incident)s, with its %(count)d reports.",
        count,
    ) % {"incident": short(detail["into"]), "count": count}


def merged(detail: dict) -> str:
    count = int(detail["reports"])
    return ngettext(
        "Merged incident %(incident)s into this one, with its %(count)d report.",
        "Merged incident %(incident)s into this one, with its %(count)d reports.",
        count,
    ) % {"incident": short(detail["source"]), "count": count}


def split(detail: dict) -> str:
    count = int(detail["reports"])
    return ngettext(
        "Moved %(count)d report out to a new incident, %(incident)s.",
        "Moved %(count)d reports out to a new incident, %(incident)s.",
        count,
    ) % {"incident": short(detail["into"]), "count": count}


def split_from(detail: dict) -> str:
    return _("This incident was opened with reports moved out of incident %(incident)s.") % {
        "incident": short(detail["source"])
    }


def verify_requested(detail: dict) -> str:
    count = int(detail["verifiers"])
    return ngettext(
        "Asked %(count)d verifier within %(radius)d m to check.",
        "Asked %(count)d verifiers within %(radius)d m to check.",
        count,
    ) % {"count": count, "radius": int(detail["radius_m"])}


def confirmed(detail: dict) -> str:
    count = int(detail["audience_size"])
    return ngettext(
        "Confirmed the incident and alerted %(count)d person within %(radius)d m.",
        "Confirmed the incident and alerted %(count)d people within %(radius)d m.",
        count,
    ) % {"count": count, "radius": int(detail["radius_m"])}


def retracted(detail: dict) -> str:
    count = int(detail["audience_size"])
    return ngettext(
        "Retracted the alert (%(reason)s) and told the %(count)d person it reached.",
        "Retracted the alert (%(reason)s) and told the %(count)d people it reached.",
        count,
    ) % {"count": count, "reason": label(Incident.DismissReason, detail["reason"])}


def cleared(detail: dict) -> str:
    count = int(detail["audience_size"])
    return ngettext(
        "Gave the all-clear to the %(count)d person the alert reached.",
        "Gave the all-clear to the %(count)d people the alert reached.",
        count,
    ) % {"count": count}


def verify_answered(detail: dict) -> str:
    text = _("Answered the verify request: %(status)s.") % {
        "status": label(Response.Status, detail["status"])
    }
    return with_photo(text, detail)


def responder_answered(detail: dict) -> str:
    text = _("Answered the alert: %(status)s.") % {
        "status": label(Response.Status, detail["status"])
    }
    if detail.get("eta_minutes") is not None:
        minutes = int(detail["eta_minutes"])
        text += " " + ngettext(
            "Arriving in %(count)d minute.", "Arriving in %(count)d minutes.", minutes
        ) % {"count": minutes}
    return with_photo(text, detail)


def check_in_missed(detail: dict) -> str:
    return _("%(person)s missed a check-in: on scene since %(since)s.") % {
        "person": detail["person"],
        "since": local_time(detail["since"]),
    }


def dispatchers_alerted(detail: dict) -> str:
    count = detail["dispatchers"]
    if not count:
        return _("No dispatcher to tell: the organization has none.")
    return ngettext(
        "Told %(count)d dispatcher that the incident is waiting.",
        "Told %(count)d dispatchers that the incident is waiting.",
        count,
    ) % {"count": count}


def dispatchers_held(detail: dict) -> str:
    return _(
        "Not paged on its own: the dispatchers were paged minutes ago. It is in the burst "
        "of new incidents whose count goes in one page."
    )


def fixed(text: Callable[[], str]) -> Callable[[dict], str]:
    return lambda detail: text()


SENTENCES: dict[str, Callable[[dict], str]] = {
    "response.incident.opened": fixed(lambda: _("The incident was opened.")),
    "response.report.received": report_received,
    "response.incident.claimed": fixed(lambda: _("Claimed the incident.")),
    "response.incident.released": fixed(lambda: _("Let the incident go.")),
    "response.incident.taken_over": taken_over,
    "response.incident.dismissed": dismissed,
    "response.incident.merged_away": merged_away,
    "response.incident.merged": merged,
    "response.incident.split": split,
    "response.incident.split_from": split_from,
    "response.verify.requested": verify_requested,
    "response.incident.confirmed": confirmed,
    "response.dispatchers.alerted": dispatchers_alerted,
    "response.dispatchers.held": dispatchers_held,
    "response.van.dispatched": fixed(lambda: _("Sent the legal van.")),
    "response.incident.retracted": retracted,
    "response.incident.cleared": cleared,
    "response.verify.answered": verify_answered,
    "response.responder.answered": responder_answered,
    "response.responder.check_in_missed": check_in_missed,
}


def sentence(action: str, detail: dict | None = None) -> str:
    """Return the timeline line as a sentence in the active language, or its action name."""
    say = SENTENCES.get(action)
    if say is None:
        return action
    try:
        return say(detail or {})
    except (KeyError, TypeError, ValueError):
        return action


def said(detail: dict | None) -> str:
    """Return the words typed with the line (an alert's message, an answer's note), if any."""
    detail = detail or {}
    return str(detail.get("message") or detail.get("note") or "")
