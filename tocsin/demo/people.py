"""Fictional demo members, generated from a fixed seed so every load makes the same people.

Names are drawn at random from lists of common given names and family names; they are
nobody in particular. Emails use a reserved test domain and phone numbers the 555-01xx
range reserved for fiction, so nothing here can reach a real person.
"""

import random
import unicodedata
from dataclasses import dataclass

from tocsin.accounts.roles import Role

from . import world

SEED = 2026

# fmt: off
GIVEN_NAMES = [
    "Abdi", "Adriana", "Aisha", "Alejandro", "Amina", "Ana", "Andre", "Beatriz", "Bao",
    "Carlos", "Carmen", "Chao", "Daniela", "Darnell", "Deja", "Diego", "Elena", "Erik",
    "Esperanza", "Fartun", "Fernando", "Gabriela", "Grace", "Guadalupe", "Hamza", "Hector",
    "Ingrid", "Isabel", "Jamal", "Javier", "Jenna", "Jorge", "Kalia", "Keisha", "Kou",
    "Lars", "Leticia", "Linh", "Lucia", "Luis", "Mai", "Malik", "Marisol", "Marcus",
    "Mateo", "Megan", "Miguel", "Nadia", "Nasra", "Nora", "Olga", "Omar", "Pablo",
    "Paola", "Priya", "Rafael", "Rosa", "Samira", "Sofia", "Tamika", "Teresa", "Thanh",
    "Tomas", "Valeria", "Wei", "Xochitl", "Yasmin", "Yer", "Yusuf", "Zainab",
]

FAMILY_NAMES = [
    "Abdullahi", "Aguilar", "Ali", "Andersen", "Bauer", "Castillo", "Chavez", "Cruz",
    "Dahl", "Delgado", "Diaz", "Duale", "Flores", "Fofana", "Garcia", "Gomez", "Gutierrez",
    "Hansen", "Her", "Hernandez", "Herrera", "Ibarra", "Jimenez", "Johnson", "Kowalski",
    "Lee", "Lindqvist", "Lopez", "Lor", "Martinez", "Mendoza", "Mohamed", "Morales",
    "Moua", "Nguyen", "Nielsen", "Okafor", "Olson", "Ortiz", "Pham", "Ramirez", "Ramos",
    "Reyes", "Rivera", "Rodriguez", "Ruiz", "Salazar", "Sanchez", "Santos", "Schmidt",
    "Torres", "Tran", "Vang", "Vargas", "Vasquez", "Warsame", "Washington", "Xiong", "Yang",
]
# fmt: on

# Roles some members hold beyond membership, with the share of members holding each.
# One member in this many has a web push subscription as well as their other contacts.
WEB_PUSH_EVERY = 4

EXTRA_ROLES = [(Role.RESPONDER, 0.12), (Role.VERIFIER, 0.05), (Role.LEGAL_OBSERVER, 0.04)]


@dataclass
class DemoMember:
    display_name: str
    language: str
    email: str
    phone: str
    phone_channels: tuple[str, ...]
    unit: world.DemoUnit
    site: str
    roles: Role
    # An area follow around (lat, lng) with radius_m, or None.
    area: tuple[float, float, int] | None
    # Whether they allowed web push in their browser (a subscription on the local service).
    web_push: bool = False


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _phone_numbers(region: str):
    """Yield fictional E.164 numbers of a region: +1 AAA 555 0100 to 0199 per area code."""
    for area_code in world.AREA_CODES[region]:
        for line in range(100, 200):
            yield f"+1{area_code}55501{line - 100:02d}"


def generate_members() -> list[DemoMember]:
    """Return the demo's members, the same list every time."""
    rng = random.Random(SEED)
    phones = {region: _phone_numbers(region) for region in world.AREA_CODES}
    sites = {site.name: site for site in world.SITES}
    members: list[DemoMember] = []
    for unit in world.UNITS:
        for _index in range(unit.members):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            number = len(members) + 1
            display_name = f"{given} {family}"
            if rng.random() < 0.1:
                display_name = f"{given} {family[0]}."  # Some people give only an alias.
            language = "es" if rng.random() < unit.spanish_share else "en"
            email = f"{_ascii(given)}.{_ascii(family)}.{number}@{world.EMAIL_DOMAIN}"
            phone = ""
            phone_channels: tuple[str, ...] = ()
            if rng.random() < 0.85:
                phone = next(phones[unit.region])
                phone_channels = rng.choice([("sms",), ("signal",), ("signal", "sms")])
            site = rng.choice(unit.sites) if unit.sites else ""
            roles = Role.MEMBER
            for role, share in EXTRA_ROLES:
                if rng.random() < share:
                    roles |= role
            area = None
            if not site or rng.random() < 0.2:
                # Follow the blocks around home: near the site, or the city for a siteless unit.
                centre = (float(sites[site].lat), float(sites[site].lng)) if site else unit.home
                area = (
                    round(centre[0] + rng.uniform(-0.02, 0.02), 6),
                    round(centre[1] + rng.uniform(-0.02, 0.02), 6),
                    rng.choice([500, 1000, 1500, 2000]),
                )
            members.append(
                DemoMember(
                    display_name=display_name,
                    language=language,
                    email=email,
                    phone=phone,
                    phone_channels=phone_channels,
                    unit=unit,
                    site=site,
                    roles=roles,
                    area=area,
                    # Every fourth member, not a draw: a draw would change everyone after.
                    web_push=number % WEB_PUSH_EVERY == 0,
                )
            )
    return members
