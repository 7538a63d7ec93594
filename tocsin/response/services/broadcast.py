"""Ask verifiers, confirm and broadcast, dispatch the legal van, retract, give the all-clear.

Nothing reaches members before a dispatcher confirms: a verify request goes only to
verifiers, a dispatch only to the legal van. A verified alert goes to the followers of the
sites within the radius and of the blocks around the incident (in the organization and in
those that share alerts with it there), and to the organization's responders and legal
observers. A retraction and an all-clear go to exactly the people the alarm reached.
No alert ever says who reported.

A verified alert is composed from facts, each said in every recipient's language (what was
seen, where, since when, what people are asked to do, until when), and the dispatcher's own
text written per language: a recipient gets the text of their language or none, never
another language's (decision 0018).
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts import sharing
from tocsin.accounts.models import Membership, Person, Site
from tocsin.accounts.roles import Role, has_role
from tocsin.core import geo
from tocsin.core.languages import choices as language_choices
from tocsin.core.languages import supported
from tocsin.delivery import audience
from tocsin.delivery.audience import audience_size as size_of_audience
from tocsin.delivery.channels.sms.transport import fit_sms
from tocsin.delivery.models import Alert
from tocsin.delivery.rendering import (
    LINK,
    Rendered,
    note_for,
    personal_link,
    render,
)
from tocsin.delivery.services import create_alert, send_alert

from ..models import Incident
from ..wording import SEEN, what_of
from .incidents import close, locked, refuse_unless_open
from .retention import erase_senders
from .timeline import log

ASKS = ("stay_away", "observe", "legal_observers", "none")
MAX_RADIUS_M = 20_000
MAX_MESSAGE = 500
RESPONDERS = Role.RESPONDER | Role.LEGAL_OBSERVER
# "Where" names the incident's own place in words (or its pin) rather than a site.
PLACE = "place"
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@dataclass(frozen=True)
class AlertFacts:
    """What a verified alert says, as the dispatcher chose it.

    `seen` holds codes of wording.SEEN; `where` a code of one of the organization's
    sites, PLACE for the incident's place, or "" for the incident's site if it has one (else
    its place); `since` and `until` are local times "HH:MM" ("" since: when the first
    report says it began; "" until: no end given); `notes` the dispatcher's own text by
    language code (settings.LANGUAGES), each sent only to people of that language.
    """

    seen: tuple[str, ...] | list[str]
    where: str = ""
    since: str = ""
    until: str = ""
    ask: str = "stay_away"
    notes: dict[str, str] = field(default_factory=dict)


def alert_languages() -> list[tuple[str, str]]:
    """Return the languages a dispatcher may write an alert's text in: the server's, each
    named in itself (Español, Soomaali), as every language picker names them."""
    return language_choices()


@dataclass(frozen=True)
class Candidate:
    person: Person
    distance_m: float


def incident_alert(
    incident: Incident, kind: str, context: dict, audience: dict, actor: Person | None = None
) -> Alert:
    """Return a new draft alert about the incident, with the size of its audience counted
    now, so the dispatcher and the timeline know it before the fan-out runs."""
    alert = create_alert(
        incident.organization, kind, context, audience, actor=actor, incident=incident
    )
    alert.audience_size = size_of_audience(alert)
    alert.save(update_fields=["audience_size"])
    return alert


def check_radius(radius_m) -> int:
    if not isinstance(radius_m, int) or not 50 <= radius_m <= MAX_RADIUS_M:
        raise ValidationError(
            {"radius_m": _("Give a radius between 50 m and %(max)d m.") % {"max": MAX_RADIUS_M}}
        )
    return radius_m


def check_message(message: str, field: str = "message", required: bool = True) -> str:
    message = (message or "").strip()
    if required and not message:
        raise ValidationError({field: _("Write the message people will get.")})
    if len(message) > MAX_MESSAGE:
        raise ValidationError(
            {field: _("Write at most %(limit)d characters here.") % {"limit": MAX_MESSAGE}}
        )
    return message


def check_clock(value: str, field: str) -> str:
    value = (value or "").strip()
    if value and not CLOCK.match(value):
        raise ValidationError({field: _("Give a time as HH:MM, for example 06:40.")})
    return value


def place_of(incident: Incident) -> str:
    """Return the incident's place in words, else its pin: words a map reads in any language."""
    if incident.where:
        return incident.where
    if incident.lat is not None and incident.lng is not None:
        return f"{float(incident.lat):.5f}, {float(incident.lng):.5f}"
    return ""


def sites_to_name(incident: Incident):
    """Return the sites a verified alert may name as where: the organization's own."""
    return Site.objects.filter(organizations=incident.organization_id).order_by("name")


def where_of(incident: Incident, where: str) -> str:
    """Return where the alert says it is: a site's name or the incident's place (AlertFacts)."""
    if not where and incident.site is not None:
        return incident.site.name
    if not where or where == PLACE:
        place = place_of(incident)
        if not place:
            raise ValidationError(
                {"where": _("This incident has no place yet: choose one of the sites.")}
            )
        return place
    site = sites_to_name(incident).filter(code=where).first()
    if site is None:
        raise ValidationError(
            {"where": _("Choose one of the organization's sites or the incident's place.")}
        )
    return site.name


def check_notes(notes: dict) -> dict[str, str]:
    """Return the dispatcher's texts by language, empty ones left out."""
    languages = dict(alert_languages())
    kept: dict[str, str] = {}
    for language, text in (notes or {}).items():
        if language not in languages:
            raise ValidationError(
                {
                    "notes": _("Write texts only in these languages: %(languages)s.")
                    % {"languages": ", ".join(languages)}
                }
            )
        if not isinstance(text, str):
            raise ValidationError({"notes": _("Each text must be words.")})
        text = text.strip()
        if len(text) > MAX_MESSAGE:
            raise ValidationError(
                {
                    "notes": _("%(language)s: write at most %(limit)d characters.")
                    % {"language": languages[language], "limit": MAX_MESSAGE}
                }
            )
        if text:
            kept[language] = text
    return kept


def verified_context(incident: Incident, facts: AlertFacts) -> dict:
    """Return the verified alert's context (what every message is rendered from), or
    raise ValidationError naming the fact that is wrong."""
    seen = list(dict.fromkeys(facts.seen or ()))
    if not seen or any(code not in SEEN for code in seen):
        raise ValidationError({"seen": _("Choose what was seen.")})
    if facts.ask not in ASKS:
        raise ValidationError({"ask": _("Choose what people are asked to do.")})
    return {
        "seen": [code for code in SEEN if code in seen],
        "where": where_of(incident, (facts.where or "").strip()),
        "since": check_clock(facts.since, "since") or since_of(incident),
        "until": check_clock(facts.until, "until"),
        "ask": facts.ask,
        "notes": check_notes(facts.notes),
    }


def summary(context: dict) -> str:
    """Return what a verified alert said, in the active language, with each language's
    text marked with its code: for the timeline and the record."""
    parts = [f"{what_of(context)} — {context.get('where', '')}"]
    parts += [
        f"[{language}] {note_for(context, language)}" for language in context.get("notes") or {}
    ]
    return "\n".join(parts)


def since_of(incident: Incident) -> str:
    """Return when the first report says it began, as local time (HH:MM)."""
    first = incident.reports.order_by("seen_at").first()
    moment = first.seen_at if first else incident.opened_at
    return timezone.localtime(moment).strftime("%H:%M")


def verifier_candidates(incident: Incident, radius_m: int) -> list[Candidate]:
    """Return the organization's verifiers within radius_m of the incident, nearest first.

    A verifier is placed by the site of their membership and by the areas they follow; the
    nearest of those counts.
    """
    if incident.lat is None or incident.lng is None:
        return []
    lat, lng = float(incident.lat), float(incident.lng)
    memberships = (
        Membership.objects.filter(
            has_role(Role.VERIFIER),
            organization=incident.organization,
            active=True,
            person__is_active=True,
        )
        .select_related("person", "site")
        .prefetch_related("person__subscriptions__site")
    )
    nearest: dict[int, Candidate] = {}
    for membership in memberships:
        places: list[tuple] = []
        if membership.site is not None:
            places.append((membership.site.lat, membership.site.lng))
        for follow in membership.person.subscriptions.all():
            if follow.site is not None:
                places.append((follow.site.lat, follow.site.lng))
            elif follow.lat is not None and follow.lng is not None:
                places.append((follow.lat, follow.lng))
        for place_lat, place_lng in places:
            distance = geo.distance_m(lat, lng, float(place_lat), float(place_lng))
            known = nearest.get(membership.person_id)
            if distance <= radius_m and (known is None or distance < known.distance_m):
                nearest[membership.person_id] = Candidate(membership.person, distance)
    return sorted(nearest.values(), key=lambda candidate: candidate.distance_m)


@transaction.atomic
def request_verification(
    actor: Person, incident: Incident, radius_m: int | None = None, message: str = ""
) -> Alert:
    """Send a verify request to the verifiers within radius_m, nearest first."""
    radius_m = check_radius(radius_m if radius_m is not None else settings.TOCSIN_VERIFY_RADIUS_M)
    incident = locked(incident)
    refuse_unless_open(incident)
    if incident.state == Incident.State.CONFIRMED:
        raise ValidationError(_("This incident is already confirmed."))
    candidates = verifier_candidates(incident, radius_m)
    if not candidates:
        raise ValidationError(
            {
                "radius_m": _(
                    "No verifier is within %(radius)d m of this incident. Widen the radius."
                )
                % {"radius": radius_m}
            }
        )
    what = check_message(message, required=False) or _("Reported enforcement activity")
    alert = incident_alert(
        incident,
        Alert.Kind.VERIFY_REQUEST,
        {"what": what, "where": incident.where, "since": since_of(incident)},
        {"person_ids": [candidate.person.pk for candidate in candidates]},
        actor=actor,
    )
    if incident.state == Incident.State.NEW:
        incident.state = Incident.State.VERIFYING
        incident.save(update_fields=["state"])
    log(
        incident,
        actor,
        "response.verify.requested",
        alert=str(alert.public_id),
        radius_m=radius_m,
        verifiers=len(candidates),
        message=what,
    )
    send_alert(alert, actor=actor)
    return alert


def broadcast_audience(incident: Incident, radius_m: int) -> dict:
    """Return the audience of the incident's verified alert (see delivery.audience)."""
    spec: dict = {"roles": int(RESPONDERS)}
    if incident.lat is not None and incident.lng is not None:
        spec["points"] = [[float(incident.lat), float(incident.lng), radius_m]]
    if incident.site is not None:
        spec["sites"] = [incident.site.code]
    spec["shared_organization_ids"] = sharing.receivers_covering(
        incident.organization, sharing.Shares.ALERTS, incident.lat, incident.lng, incident.site_id
    )
    return spec


def draft_alert(incident: Incident, radius_m: int, context: dict | None = None) -> Alert:
    """Return an unsaved verified alert with this radius, to count and render before sending."""
    return Alert(
        organization=incident.organization,
        kind=Alert.Kind.VERIFIED,
        context=context or {},
        audience=broadcast_audience(incident, radius_m),
    )


def audience_size(incident: Incident, radius_m: int) -> int:
    """Count the people a verified alert with this radius would reach, before sending it."""
    return size_of_audience(draft_alert(incident, radius_m))


def audience_preview(incident: Incident, radius_m: int) -> audience.Preview:
    """Count, by organization, language and channel, whom a verified alert with this
    radius would reach: the fan-out's own queries, run without sending."""
    return audience.preview(draft_alert(incident, radius_m))


@dataclass(frozen=True)
class LanguagePreview:
    language: str
    name: str
    people: int
    has_note: bool
    message: Rendered  # with no link in it


def message_previews(
    incident: Incident, context: dict, by_language: dict[str, int]
) -> list[LanguagePreview]:
    """Return the verified alert as each language's recipients would get it (the server's
    languages, then any other a recipient has), with how many people read each. The short
    form is the text message as the SMS channel cuts it to TOCSIN_SMS_MAX_SEGMENTS, with a
    personal link of the real length (one that opens nothing)."""
    names = dict(alert_languages())
    draft = draft_alert(incident, settings.TOCSIN_BROADCAST_RADIUS_M, context)
    sample_link = personal_link(0)
    previews = []
    for language in [*names, *(code for code in by_language if code not in names)]:
        rendered = render(draft, language)
        previews.append(
            LanguagePreview(
                language=language,
                name=names.get(language, language),
                people=by_language.get(language, 0),
                has_note=bool(note_for(context, language)),
                message=Rendered(
                    subject=rendered.subject,
                    text=rendered.text.replace(LINK, "").strip(),
                    short=fit_sms(
                        rendered.short.replace(LINK, sample_link),
                        sample_link,
                        settings.TOCSIN_SMS_MAX_SEGMENTS,
                    ),
                    html="",
                ),
            )
        )
    return previews


@transaction.atomic
def confirm_incident(
    actor: Person,
    incident: Incident,
    facts: AlertFacts,
    radius_m: int | None = None,
) -> Alert:
    """Confirm the incident and broadcast the verified alert; return the alert."""
    radius_m = check_radius(
        radius_m if radius_m is not None else settings.TOCSIN_BROADCAST_RADIUS_M
    )
    context = verified_context(incident, facts)
    incident = locked(incident)
    refuse_unless_open(incident)
    if incident.state == Incident.State.CONFIRMED:
        raise ValidationError(_("This incident is already confirmed and broadcast."))
    alert = incident_alert(
        incident, Alert.Kind.VERIFIED, context, broadcast_audience(incident, radius_m), actor
    )
    incident.state = Incident.State.CONFIRMED
    incident.confirmed_at = timezone.now()
    incident.save(update_fields=["state", "confirmed_at"])
    with translation.override(incident.organization.default_language):
        said = summary(context)
    log(
        incident,
        actor,
        "response.incident.confirmed",
        alert=str(alert.public_id),
        audience_size=alert.audience_size,
        radius_m=radius_m,
        message=said,
    )
    send_alert(alert, actor=actor)
    return alert


@transaction.atomic
def dispatch_legal_van(actor: Person, incident: Incident, message: str = "") -> Alert:
    """Send the legal van the address; its crew answers with an ETA."""
    incident = locked(incident)
    refuse_unless_open(incident)
    crews = Membership.objects.filter(
        has_role(Role.LEGAL_VAN), organization=incident.organization, active=True
    ).count()
    if not crews:
        raise ValidationError(_("Nobody in the organization holds the legal van role."))
    address = incident.site.address if incident.site and incident.site.address else ""
    where = ", ".join(part for part in (incident.where, address) if part)
    what = check_message(message, required=False) or _("Legal support needed on site")
    alert = incident_alert(
        incident,
        Alert.Kind.DISPATCH,
        {"what": what, "where": where, "since": since_of(incident), "ask": "none"},
        {"roles": int(Role.LEGAL_VAN)},
        actor=actor,
    )
    log(incident, actor, "response.van.dispatched", alert=str(alert.public_id), message=what)
    send_alert(alert, actor=actor)
    return alert


def alarm_alert_ids(incident: Incident) -> list[int]:
    """Return the ids of the alerts whose people a correction or an all-clear goes to."""
    return list(
        incident.alerts.filter(kind__in=[Alert.Kind.VERIFIED, Alert.Kind.DISPATCH]).values_list(
            "pk", flat=True
        )
    )


def follow_up(actor: Person, incident: Incident, kind: str, message: str) -> Alert:
    """Return the draft correction or all-clear to the people the alarm reached.

    It repeats the verified alert's facts, which every reader gets in their own language;
    the dispatcher's words go only to readers of the language they are written in (the
    dispatcher's), as a verified alert's own words do (decision 0018). A verified alert sent
    before facts existed is followed up with the words alone, as it was sent."""
    verified = incident.alerts.filter(kind=Alert.Kind.VERIFIED).first()  # the newest
    facts = verified.context if verified is not None else {}
    if facts.get("seen"):
        context = {
            "seen": facts["seen"],
            "where": facts.get("where") or incident.where,
            "since": facts.get("since", ""),
            "notes": {supported(actor.language): message},
        }
    else:
        context = {"what": message, "where": incident.where}
    return incident_alert(
        incident,
        kind,
        {**context, "ask": "none"},
        {"people_of_alerts": alarm_alert_ids(incident)},
        actor=actor,
    )


@transaction.atomic
def retract_incident(
    actor: Person,
    incident: Incident,
    message: str,
    reason: str = Incident.DismissReason.FALSE_ALARM,
) -> Alert:
    """Send a correction to everyone the verified alert reached and close the incident."""
    message = check_message(message)
    if reason not in Incident.DismissReason.values:
        raise ValidationError({"reason": _("Choose why the alert is retracted.")})
    incident = locked(incident)
    if incident.state != Incident.State.CONFIRMED:
        raise ValidationError(_("Only a confirmed incident has an alert to retract."))
    alert = follow_up(actor, incident, Alert.Kind.RETRACTION, message)
    close(incident, Incident.State.DISMISSED, reason)
    if reason == Incident.DismissReason.MALICIOUS:
        erase_senders(incident.reports.all())
    log(
        incident,
        actor,
        "response.incident.retracted",
        alert=str(alert.public_id),
        audience_size=alert.audience_size,
        reason=reason,
        message=message,
    )
    send_alert(alert, actor=actor)
    return alert


@transaction.atomic
def clear_incident(actor: Person, incident: Incident, message: str) -> Alert:
    """Send the all-clear to everyone the verified alert reached and resolve the incident."""
    message = check_message(message)
    incident = locked(incident)
    if incident.state != Incident.State.CONFIRMED:
        raise ValidationError(
            _("Only a confirmed incident gets an all-clear; dismiss this one instead.")
        )
    alert = follow_up(actor, incident, Alert.Kind.ALL_CLEAR, message)
    close(incident, Incident.State.RESOLVED)
    log(
        incident,
        actor,
        "response.incident.cleared",
        alert=str(alert.public_id),
        audience_size=alert.audience_size,
        message=message,
    )
    send_alert(alert, actor=actor)
    return alert
