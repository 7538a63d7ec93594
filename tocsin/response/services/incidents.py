"""A dispatcher's changes to an incident: claim it, dismiss it, merge and split it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.core.transactions import locking
from tocsin.delivery.models import Alert

from ..models import Incident, Report
from .retention import erase_senders
from .timeline import log


def locked(incident: Incident) -> Incident:
    """Return the incident read again under a row lock, for a change that checks its state."""
    return locking(Incident.objects.select_related("organization")).get(pk=incident.pk)


def refuse_unless_open(incident: Incident) -> None:
    if not incident.is_open:
        raise ValidationError(
            _("This incident is %(state)s; it cannot change any more.")
            % {"state": incident.get_state_display()}
        )


@transaction.atomic
def claim_incident(actor: Person, incident: Incident, take_over: bool = False) -> Incident:
    """Put the incident in the actor's hands, so other dispatchers see who has it.

    Someone else's claim is kept unless `take_over` is given (a dispatcher going off shift).
    """
    incident = locked(incident)
    refuse_unless_open(incident)
    if incident.claimed_by_id == actor.pk:
        return incident
    if incident.claimed_by_id is not None and not take_over:
        raise ValidationError(
            _("%(name)s already has this incident. Take it over only if they agree.")
            % {"name": incident.claimed_by.display_name if incident.claimed_by else ""}
        )
    previous = incident.claimed_by
    incident.claimed_by = actor
    incident.claimed_at = timezone.now()
    incident.save(update_fields=["claimed_by", "claimed_at"])
    if previous is not None:
        log(incident, actor, "response.incident.taken_over", previous=previous.display_name)
    else:
        log(incident, actor, "response.incident.claimed")
    return incident


@transaction.atomic
def release_incident(actor: Person, incident: Incident) -> Incident:
    incident = locked(incident)
    if incident.claimed_by_id != actor.pk:
        raise ValidationError(_("Only the dispatcher who has the incident can let it go."))
    incident.claimed_by = None
    incident.claimed_at = None
    incident.save(update_fields=["claimed_by", "claimed_at"])
    log(incident, actor, "response.incident.released")
    return incident


@transaction.atomic
def dismiss_incident(actor: Person, incident: Incident, reason: str) -> Incident:
    """Close an unconfirmed incident with a reason; nothing goes to members.

    A malicious report keeps nothing about its sender from this moment on (the rate limit
    still holds its source back until the limit runs out). A confirmed incident is retracted instead, so that the people who got
    its alert hear of the mistake.
    """
    incident = locked(incident)
    refuse_unless_open(incident)
    if reason not in Incident.DismissReason.values:
        raise ValidationError({"reason": _("Choose why the incident is dismissed.")})
    if incident.state == Incident.State.CONFIRMED:
        raise ValidationError(
            {"reason": _("This incident was broadcast: retract it, so its audience is told.")}
        )
    close(incident, Incident.State.DISMISSED, reason)
    log(incident, actor, "response.incident.dismissed", reason=reason)
    if reason == Incident.DismissReason.MALICIOUS:
        erase_senders(incident.reports.all())
    return incident


def has_alerted_anyone(incident: Incident) -> bool:
    """Whether the incident sent an alert beyond its own dispatchers (a verify request, a
    broadcast, a dispatch…)."""

    return incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def close(incident: Incident, state: str, reason: str = "") -> None:
    incident.state = state
    incident.dismiss_reason = reason
    incident.closed_at = timezone.now()
    incident.save(update_fields=["state", "dismiss_reason", "closed_at"])


@transaction.atomic
def merge_incidents(actor: Person, source: Incident, target: Incident) -> Incident:
    """Move every report of `source` into `target` and close `source` as a duplicate."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another incident to merge into.")})
    source, target = locked(source), locked(target)
    if source.organization_id != target.organization_id:
        raise ValidationError({"target": _("Only incidents of one organization can merge.")})
    for incident in (source, target):
        refuse_unless_open(incident)
    if has_alerted_anyone(source):
        raise ValidationError(
            {"target": _("This incident has sent alerts; merge the other one into it instead.")}
        )
    moved = source.reports.update(incident=target)
    source.photos.update(incident=target)
    latest = max(source.last_report_at, target.last_report_at)
    Incident.objects.filter(pk=target.pk).update(last_report_at=latest)
    close(source, Incident.State.DISMISSED, Incident.DismissReason.DUPLICATE)
    Incident.objects.filter(pk=source.pk).update(merged_into=target)
    log(source, actor, "response.incident.merged_away", into=str(target.public_id), reports=moved)
    log(target, actor, "response.incident.merged", source=str(source.public_id), reports=moved)
    return target


@transaction.atomic
def split_incident(actor: Person, incident: Incident, report_ids: list[str]) -> Incident:
    """Move the chosen reports out to a new incident of their own and return it."""
    incident = locked(incident)
    refuse_unless_open(incident)
    chosen = list(incident.reports.filter(public_id__in=report_ids).order_by("received_at"))
    if not chosen or len(chosen) != len(set(report_ids)):
        raise ValidationError({"reports": _("Choose reports of this incident to move out.")})
    if len(chosen) == incident.reports.count():
        raise ValidationError({"reports": _("Leave at least one report in this incident.")})
    first = chosen[0]
    lat, lng = (first.lat, first.lng) if first.located else (None, None)
    if lat is None and first.site is not None:
        lat, lng = first.site.lat, first.site.lng
    new = Incident.objects.create(
        organization=incident.organization,
        site=first.site,
        lat=lat,
        lng=lng,
        where=first.site.name if first.site else first.location,
        opened_at=first.received_at,
        last_report_at=chosen[-1].received_at,
    )
    Report.objects.filter(pk__in=[r.pk for r in chosen]).update(incident=new)
    incident.photos.filter(report__in=chosen).update(incident=new)
    log(incident, actor, "response.incident.split", into=str(new.public_id), reports=len(chosen))
    log(new, actor, "response.incident.split_from", source=str(incident.public_id))
    return new
