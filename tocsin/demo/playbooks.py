"""The demo's playbook additions (decision 0031): the Minnesota Nurses Association's
hotline number, shown on every page of its sites, and a note from the locals at Hennepin
County Medical Center and at Anishinabe Academy, in English, Spanish and Somali. The
number is in the 555-01xx range kept for fiction."""

from tocsin.accounts.models import Organization, Site, Unit
from tocsin.playbooks.models import LocalPlaybook, SiteNote
from tocsin.playbooks.services import save_playbook, save_site_note

from . import world

MNA_HOTLINE = "+16125550142"

NOTES = [
    (
        world.MNA,
        world.HCMC,
        ["nurse", "front-desk"],
        {
            "en": "Send any agent to the house supervisor on 5 East and call the union "
            "hotline. Nobody enters a patient area without a judicial warrant.",
            "es": "Envía a cualquier agente a la supervisora de turno en 5 Este y llama a la "
            "línea del sindicato. Nadie entra en un área de pacientes sin una orden judicial.",
            "so": "Wakiil kasta u dir kormeeraha shaqada ee 5 Bari oo wac khadka ururka. Cidna "
            "ma gasho meelaha bukaanka amar maxkamadeed la'aantiis.",
        },
    ),
    (
        world.MFE,
        world.ANISHINABE,
        ["teacher", "front-desk"],
        {
            "en": "Keep the doors closed and send any agent to the principal's office. "
            "Our contract: no entry without a judicial warrant.",
            "es": "Mantén las puertas cerradas y envía a cualquier agente a la dirección. "
            "Nuestro contrato: no se entra sin una orden judicial.",
            "so": "Albaabada xir oo wakiil kasta u dir xafiiska maamulaha. Heshiiskeenna: "
            "lama soo galo amar maxkamadeed la'aantiis.",
        },
    ),
]


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create what the demo needs here, once (running it again changes nothing)."""
    mna = organizations.get(world.MNA)
    if mna is not None and not LocalPlaybook.objects.filter(organization=mna).exists():
        save_playbook(None, mna, hotline_number=MNA_HOTLINE, more_url="")
    for slug, site_name, roles, notes in NOTES:
        organization, site = organizations.get(slug), sites.get(site_name)
        if organization is None or site is None:
            continue
        if SiteNote.objects.filter(organization=organization, site=site).exists():
            continue
        save_site_note(None, organization, site, notes=notes, roles=roles)
