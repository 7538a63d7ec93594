"""What a site's playbook page shows: the role pages that apply there, each local's note in
the reader's language, the numbers to call and the clauses in force there."""

from dataclasses import dataclass

from django.utils.translation import get_language

from tocsin.accounts.models import Organization, Site
from tocsin.core import languages

from .content import BY_SLUG, KIND_ROLES, RolePage
from .models import LocalPlaybook, SiteNote


@dataclass(frozen=True)
class LocalWords:
    organization: Organization
    note: str
    note_language: str  # the language the note is written in ("" for no note)
    hotline_number: str
    more_url: str


def roles_at(site: Site, notes: list[SiteNote] | None = None) -> list[RolePage]:
    """Return the role pages that apply at `site`: those its locals chose, or its kind's."""
    chosen = {slug for note in notes or [] for slug in note.roles if slug in BY_SLUG}
    slugs = chosen or set(KIND_ROLES.get(site.kind, KIND_ROLES["other"]))
    return [page for page in BY_SLUG.values() if page.slug in slugs]


def note_in(notes: dict, language: str, fallback: str) -> tuple[str, str]:
    """Return (text, its language): the note in `language`, else in `fallback` (the local's
    own language), else in the first language it was written in."""
    for code in (language, fallback, *languages.codes()):
        text = str(notes.get(code) or "").strip()
        if text:
            return text, code
    return "", ""


def local_words(organizations: list[Organization], notes: list[SiteNote]) -> list[LocalWords]:
    """Return what each organization adds to a page (its note among `notes`, its numbers,
    its own page), in the active language; an organization that added nothing is left out."""
    language = languages.supported(get_language())
    by_org = {note.organization_id: note for note in notes}
    playbooks = {
        playbook.organization_id: playbook
        for playbook in LocalPlaybook.objects.filter(organization__in=organizations)
    }
    found = []
    for organization in organizations:
        note = by_org.get(organization.pk)
        playbook = playbooks.get(organization.pk)
        text, written_in = note_in(
            note.notes if note else {}, language, organization.default_language
        )
        number = playbook.hotline_number if playbook else ""
        more = playbook.more_url if playbook else ""
        if text or number or more or organization.report_number:
            found.append(LocalWords(organization, text, written_in, number, more))
    return found


def clauses_in_force(site: Site) -> list:
    """Return the contract clauses in force at `site`, for the page's clauses block
    (playbooks/_clauses.html). The clause library (tocsin.clauses) is built beside this
    app: when it lands, this returns `list(tocsin.clauses.services.in_force_at(site))`
    and the block lists them; until then there are none to show."""
    return []


def site_page(site: Site) -> dict:
    """Return the context of a site's playbook page, in the active language."""
    organizations = list(site.organizations.order_by("created_at", "pk"))
    notes = list(SiteNote.objects.filter(site=site, organization__in=organizations))
    return {
        "site": site,
        "role_pages": roles_at(site, notes),
        "locals": local_words(organizations, notes),
        "clauses": clauses_in_force(site),
    }
