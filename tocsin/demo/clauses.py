"""The demo world's clause library, loaded by tocsin.demo.services.load_demo: the Minneapolis
teachers' clauses won in November 2025 (no ICE entry without a judicial warrant, student data
privacy, mental health support for staff), NYSNA's ICE-exclusion demand, and a United
Educators of San Francisco demand; the Minneapolis educators and NYSNA share their clauses
with San Francisco and with each other.

The texts are written for this demo from what the articles in the seeds report; they are
not the unions' contract language.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from tocsin.accounts.models import Organization, SharingAgreement, Site, Unit
from tocsin.clauses.models import Clause
from tocsin.clauses.services import create_clause
from tocsin.sharing import services as sharing

from . import world


@dataclass(frozen=True)
class DemoClause:
    organization: str
    title: str
    sector: str
    status: str
    text_en: str
    text_es: str = ""
    text_so: str = ""
    source_contract: str = ""
    how_won: str = ""
    tags: str = ""
    dates: dict[str, date] = field(default_factory=dict)
    sites: tuple[str, ...] = ()


MFE_CONTRACT = "Teachers' contract with Minneapolis Public Schools, settled November 2025"
MFE_WON = (
    "Won in the teachers' contract in November 2025, after organizing that the Federation "
    "modelled on the Chicago Teachers Union's sanctuary schools work."
)
WARRANT_TITLE = "No ICE entry to schools without a judicial warrant"
EXCLUSION_TITLE = "ICE kept out of the hospital without a judicial warrant"

CLAUSES = (
    DemoClause(
        world.MFE,
        WARRANT_TITLE,
        Clause.Sector.EDUCATION,
        Clause.Status.IN_EFFECT,
        text_en=(
            "The district will not let U.S. Immigration and Customs Enforcement (ICE) or any "
            "other federal immigration agent into a school building, onto school grounds or "
            "onto a school bus unless the agent shows a judicial warrant signed by a judge. An "
            "administrative warrant or an agency form is not enough. Staff approached by an "
            "agent send them to the principal, who asks to see the warrant and calls the "
            "district's legal office and the union before anyone enters. No information about "
            "a student or a staff member is given to an agent without a court order."
        ),
        text_es=(
            "El distrito no dejará que el Servicio de Inmigración y Control de Aduanas (ICE) ni "
            "ningún otro agente federal de inmigración entre en un edificio escolar, en el "
            "terreno de la escuela o en un autobús escolar a menos que el agente muestre una "
            "orden judicial firmada por un juez. Una orden administrativa o un formulario de "
            "la agencia no basta. El personal al que se acerque un agente lo enviará a la "
            "dirección, que pedirá ver la orden y llamará a la oficina legal del distrito y al "
            "sindicato antes de que nadie entre. No se dará a ningún agente información sobre "
            "un estudiante o un miembro del personal sin una orden de un tribunal."
        ),
        text_so=(
            "Degmadu uma oggolaan doonto ICE ama wakiil kale oo socdaalka federaalka ah inuu "
            "galo dhismaha dugsiga, barxadda dugsiga ama baska dugsiga haddii uusan wakiilku "
            "keenin amar maxkamadeed oo uu saxiixay garsoore. Amar maamul ama foom hay'adeed "
            "kuma filna. Shaqaalaha uu wakiil u yimaado waxay u diraan maamulaha dugsiga, kaas "
            "oo weydiinaya inuu arko amarka, kana wacaya xafiiska sharciga ee degmada iyo "
            "ururka ka hor inta aan cidna soo gelin. Wax macluumaad ah oo ku saabsan arday ama "
            "shaqaale lama siinayo wakiil amar maxkamadeed la'aantiis."
        ),
        source_contract=MFE_CONTRACT,
        how_won=MFE_WON,
        tags="ICE, judicial warrant, sanctuary schools",
        dates={"won_on": date(2025, 11, 1), "in_effect_from": date(2025, 11, 1)},
        sites=(world.ANISHINABE,),
    ),
    DemoClause(
        world.MFE,
        "Student data privacy",
        Clause.Sector.EDUCATION,
        Clause.Status.IN_EFFECT,
        text_en=(
            "The district does not ask about, record or keep the immigration or citizenship "
            "status of students or their families. It does not hand student records, "
            "addresses, schedules or photographs to immigration authorities without a judicial "
            "warrant or a court order, and it tells the family and the union within one school "
            "day of any such request."
        ),
        text_es=(
            "El distrito no pregunta, no registra ni guarda la situación migratoria o de "
            "ciudadanía de los estudiantes ni de sus familias. No entrega expedientes, "
            "direcciones, horarios ni fotografías de los estudiantes a las autoridades de "
            "inmigración sin una orden judicial o de un tribunal, y avisa a la familia y al "
            "sindicato dentro de un día escolar de cualquier pedido así."
        ),
        source_contract=MFE_CONTRACT,
        how_won=MFE_WON,
        tags="student data, privacy",
        dates={"won_on": date(2025, 11, 1), "in_effect_from": date(2025, 11, 1)},
        sites=(world.ANISHINABE,),
    ),
    DemoClause(
        world.MFE,
        "Mental health support for staff",
        Clause.Sector.EDUCATION,
        Clause.Status.IN_EFFECT,
        text_en=(
            "Staff whose school community is struck by immigration enforcement, such as the "
            "detention of a student, a relative or a coworker, may see a counselor paid by the "
            "district during working hours and take up to three days of paid leave to care for "
            "themselves or their family. The district trains its counselors and social workers "
            "to support students and staff through such events."
        ),
        text_es=(
            "El personal cuya comunidad escolar sufra una acción de inmigración, como la "
            "detención de un estudiante, un familiar o un compañero de trabajo, podrá ver a un "
            "consejero pagado por el distrito en horas de trabajo y tomar hasta tres días de "
            "permiso pagado para cuidarse o cuidar a su familia. El distrito capacita a sus "
            "consejeros y trabajadores sociales para apoyar a estudiantes y personal en esos "
            "momentos."
        ),
        source_contract=MFE_CONTRACT,
        how_won=MFE_WON,
        tags="mental health, trauma",
        dates={"won_on": date(2025, 11, 1), "in_effect_from": date(2025, 11, 1)},
        sites=(world.ANISHINABE,),
    ),
    DemoClause(
        world.NYSNA,
        EXCLUSION_TITLE,
        Clause.Sector.HEALTH_CARE,
        Clause.Status.DEMANDED,
        text_en=(
            "The hospital will not let ICE or any other federal immigration agent into a part "
            "of the hospital unless the agent shows a judicial warrant signed by a judge, and "
            "never into a patient care area. A manager on every shift meets agents at the door "
            "and checks any warrant. No information about a patient or a nurse is given to an "
            "agent without a court order, and the union is told at once of every request."
        ),
        text_es=(
            "El hospital no dejará que ICE ni ningún otro agente federal de inmigración entre "
            "en una parte del hospital sin órdenes judiciales firmadas por un juez, y nunca en "
            "un área de atención a pacientes. Un gerente en cada turno recibe a los agentes en "
            "la puerta y revisa cualquier orden. No se dará a ningún agente información sobre "
            "un paciente o una enfermera sin una orden de un tribunal, y se avisará al "
            "sindicato enseguida de cada pedido."
        ),
        source_contract="Contracts with Mount Sinai, NewYork-Presbyterian and Montefiore",
        how_won=(
            "Not won yet. Through 2025 the nurses, with CIR/SEIU and 1199SEIU, asked the "
            "hospitals to adopt ICE protections on their own; management refused. In "
            "September 2025 the nurses brought ICE exclusion to the bargaining table, and it "
            "was a demand of the 15,000 nurses on strike from January 12, 2026."
        ),
        tags="ICE, judicial warrant, sanctuary hospitals",
        dates={"demanded_on": date(2025, 9, 1)},
    ),
    DemoClause(
        world.UESF,
        "Emergency housing for educators",
        Clause.Sector.EDUCATION,
        Clause.Status.DEMANDED,
        text_en=(
            "The district keeps emergency housing for educators who lose their home or must "
            "leave it, and for their families, for up to ninety days while they find another."
        ),
        text_es=(
            "El distrito mantiene vivienda de emergencia para los educadores que pierdan su "
            "hogar o deban dejarlo, y para sus familias, por hasta noventa días mientras "
            "encuentran otro."
        ),
        how_won="A demand of the educators' strike; the district says it carries a liability.",
        tags="housing",
    ),
)
# Who shares clauses with whom (decision 0030): the Minneapolis educators and NYSNA with San
# Francisco, and with each other both ways.
ONE_WAY, BOTH_WAYS = SharingAgreement.Direction.ONE_WAY, SharingAgreement.Direction.BOTH_WAYS
SHARING = (
    (world.MFE, world.UESF, ONE_WAY),
    (world.NYSNA, world.UESF, ONE_WAY),
    (world.MFE, world.NYSNA, BOTH_WAYS),
)


def write_library(organizations: dict[str, Organization], sites: dict[str, Site]) -> None:
    """Write the demo clauses of the organizations given (once), and their sharing."""
    with transaction.atomic():
        for spec in CLAUSES:
            organization = organizations.get(spec.organization)
            if organization is None or organization.clauses.filter(title=spec.title).exists():
                continue
            data = {
                "title": spec.title,
                "text_en": spec.text_en,
                "text_es": spec.text_es,
                "text_so": spec.text_so,
                "sector": spec.sector,
                "status": spec.status,
                "source_contract": spec.source_contract,
                "how_won": spec.how_won,
                "tags": spec.tags,
                **spec.dates,
            }
            found_sites = [sites[name] for name in spec.sites if name in sites]
            create_clause(None, organization, data, found_sites)
        for giver, receiver, direction in SHARING:
            if giver not in organizations or receiver not in organizations:
                continue
            giving, receiving = organizations[giver], organizations[receiver]
            if SharingAgreement.objects.filter(
                organization=giving, partner=receiving, circle__isnull=True, clauses=True
            ).exists():
                continue
            # Offered by the giver's admin and accepted by the receiver's, as admins do.
            terms = sharing.Terms(what=["clauses"], direction=direction)
            agreement = sharing.offer(None, giving, receiving, terms)
            sharing.accept(None, receiving, agreement)


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create what the demo needs here, once (running it again changes nothing)."""
    write_library(organizations, sites)
