"""Changes to the clause library: write a clause, change it, adapt another organization's
into a draft of one's own; and the clauses in force at a site, for its playbook.

Each change runs in one transaction that also writes the search index (search.py) and an
audit entry with the clause's code, never its text.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person, Site
from tocsin.accounts.sharing import Shares, givers_to
from tocsin.audit.services import record

from . import search
from .models import MAX_TAG, MAX_TAGS, TEXT_LANGUAGES, Clause

# The fields a person writes (forms.ClauseForm), besides the sites.
FIELDS = (
    "title",
    "text_en",
    "text_es",
    "text_so",
    "sector",
    "status",
    "source_contract",
    "how_won",
    "demanded_on",
    "won_on",
    "in_effect_from",
    "in_effect_until",
    "tags",
)
IN_FORCE = (Clause.Status.IN_EFFECT, Clause.Status.WON)


def clean_tags(value: str | Iterable[str]) -> str:
    """Return tags as stored: lower case, a dash inside a tag, one space between, no repeats.

    Tags are typed separated by commas ("ICE, judicial warrant" is two tags)."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    tags = ["-".join(part.lower().split()) for part in parts]
    tags = list(dict.fromkeys(tag for tag in tags if tag))
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            {"tags": _("Tags: give at most %(count)d tags.") % {"count": MAX_TAGS}}
        )
    if any(len(tag) > MAX_TAG for tag in tags):
        raise ValidationError(
            {"tags": _("Tags: a tag has at most %(count)d characters.") % {"count": MAX_TAG}}
        )
    return " ".join(tags)


def check(organization: Organization, data: dict[str, Any], sites: Iterable[Site]) -> None:
    """Refuse a clause without a title or a text, with its dates the wrong way round, or in
    force at a site where its organization is not."""
    errors: dict[str, str] = {}
    if not str(data.get("title") or "").strip():
        errors["title"] = _("Title: give the clause a title.")
    if not any(str(data.get(f"text_{code}") or "").strip() for code in TEXT_LANGUAGES):
        errors["text_en"] = _("Text: write the clause in at least one language.")
    start, end = data.get("in_effect_from"), data.get("in_effect_until")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["in_effect_until"] = _(
            "In effect until: the end comes after the start (%(start)s)."
        ) % {"start": start.isoformat()}
    try:
        clean_tags(data.get("tags") or "")
    except ValidationError as error:
        errors["tags"] = error.message_dict["tags"][0]
    foreign = [site for site in sites if not site.organizations.filter(pk=organization.pk).exists()]
    if foreign:
        errors["sites"] = _("Sites: choose sites of %(organization)s.") % {
            "organization": organization.name
        }
    if errors:
        raise ValidationError(errors)


def _write(clause: Clause, data: dict[str, Any]) -> None:
    for field in FIELDS:
        if field in data:
            value = data[field]
            if field == "tags":
                value = clean_tags(value or "")
            elif isinstance(value, str):
                value = value.strip()
            setattr(clause, field, value)


@transaction.atomic
def create_clause(
    person: Person | None,
    organization: Organization,
    data: dict[str, Any],
    sites: Iterable[Site] = (),
) -> Clause:
    """Add a clause to the organization's library."""
    sites = list(sites)
    check(organization, data, sites)
    clause = Clause(organization=organization, created_by=person)
    _write(clause, data)
    clause.save()
    clause.sites.set(sites)
    search.index(clause)
    record(person, "clauses.clause.created", clause, organization=organization)
    return clause


@transaction.atomic
def update_clause(
    person: Person, clause: Clause, data: dict[str, Any], sites: Iterable[Site] | None = None
) -> Clause:
    """Change a clause of one's own organization."""
    clause = Clause.objects.select_for_update().get(pk=clause.pk)
    merged = {field: getattr(clause, field) for field in FIELDS} | data
    site_list = list(clause.sites.all()) if sites is None else list(sites)
    check(clause.organization, merged, site_list)
    _write(clause, data)
    clause.updated_at = timezone.now()
    clause.save()
    clause.sites.set(site_list)
    search.index(clause)
    record(person, "clauses.clause.updated", clause, organization=clause.organization)
    return clause


@transaction.atomic
def adapt_clause(person: Person, organization: Organization, origin: Clause) -> Clause:
    """Copy a clause into a draft of `organization`, keeping where it came from.

    The draft keeps the text, sector, tags and dates of the demand; its status is draft,
    its sites none, and it names its origin (the clause, its title and organization as they
    were), so the origin is shown even when that organization later stops sharing."""
    draft = Clause(
        organization=organization,
        created_by=person,
        title=origin.title,
        text_en=origin.text_en,
        text_es=origin.text_es,
        text_so=origin.text_so,
        sector=origin.sector,
        status=Clause.Status.DRAFT,
        source_contract="",
        how_won="",
        tags=origin.tags,
        origin=origin,
        origin_title=origin.title,
        origin_organization=origin.organization.name,
        origin_code=origin.code,
    )
    draft.save()
    search.index(draft)
    record(
        person,
        "clauses.clause.adapted",
        draft,
        organization=organization,
        origin=origin.code,
    )
    return draft


def in_force_at(site: Site) -> QuerySet[Clause]:
    """Return the clauses in force at a site (in effect or won there), of the site's
    organizations and of the organizations that share clauses with one of them."""
    owners: set[int] = set()
    for organization_id in site.organizations.values_list("pk", flat=True):
        owners.add(organization_id)
        owners.update(givers_to(organization_id, Shares.CLAUSES))
    return Clause.objects.filter(
        sites=site, status__in=IN_FORCE, organization_id__in=owners
    ).select_related("organization")
