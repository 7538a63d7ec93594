"""The demo world of the brief: its organizations, sites and bargaining units, as plain data.

Organizations and sites are the real ones the seed articles name; coordinates are the
brief's (approximate). The people are generated (see tocsin.demo.people) and fictional.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    name: str
    kind: str
    parent: str = ""
    language: str = "en"


@dataclass(frozen=True)
class DemoSite:
    name: str
    kind: str
    address: str
    lat: str
    lng: str
    organizations: tuple[str, ...]


@dataclass(frozen=True)
class DemoUnit:
    organization: str
    name: str
    sites: tuple[str, ...]
    members: int
    # Where members without a site of their own live, for area follows: (lat, lng).
    home: tuple[float, float] = (0.0, 0.0)
    spanish_share: float = 0.3
    region: str = "mn"


NNU = "national-nurses-united"
KAISER_BAY = "nnu-kaiser-bay-area"
KAISER_VALLEY = "nnu-kaiser-sacramento-valley"
NYSNA = "nysna"
MNA = "minnesota-nurses-association"
SEIU_26 = "seiu-local-26"
UNITE_HERE_17 = "unite-here-local-17"
ATU_1005 = "atu-local-1005"
CWA_7250 = "cwa-local-7250"
MFE = "minneapolis-federation-of-educators"
UESF = "united-educators-of-san-francisco"
MRLF = "minneapolis-regional-labor-federation"

ORGANIZATIONS = [
    DemoOrganization(NNU, "National Nurses United", "federation"),
    DemoOrganization(KAISER_BAY, "Kaiser Bay Area nurses (NNU)", "local", parent=NNU),
    DemoOrganization(KAISER_VALLEY, "Kaiser Sacramento Valley nurses (NNU)", "local", parent=NNU),
    DemoOrganization(NYSNA, "New York State Nurses Association (NYSNA)", "union"),
    DemoOrganization(MNA, "Minnesota Nurses Association", "union"),
    DemoOrganization(SEIU_26, "SEIU Local 26", "local"),
    DemoOrganization(UNITE_HERE_17, "UNITE HERE Local 17", "local"),
    DemoOrganization(ATU_1005, "ATU Local 1005 (Metro Transit)", "local"),
    DemoOrganization(CWA_7250, "CWA Local 7250", "local"),
    DemoOrganization(MFE, "Minneapolis Federation of Educators", "local"),
    DemoOrganization(UESF, "United Educators of San Francisco", "local"),
    DemoOrganization(MRLF, "Minneapolis Regional Labor Federation", "coalition"),
]

# Rapid response: the number members text or message on Signal to report (fictional).
REPORT_NUMBERS = {MNA: "+16125550150"}
# (owner, partner, shares dispatch too): the nurses' verified alerts reach the other locals
# at Hennepin County Medical Center who follow the area.
SHARING = [(MNA, SEIU_26, False), (MNA, UNITE_HERE_17, False)]
# The Regional Labor Federation's one offer to four of its unions, each of which accepted:
# (convener, members, what they share with each other and with it).
SHARING_CIRCLE = (MRLF, (SEIU_26, UNITE_HERE_17, ATU_1005, CWA_7250), ("alerts",))

# The nurses' hotline keeps a list of where people taken in Minnesota are usually held.
FACILITIES = {
    MNA: [
        ("Whipple Federal Building (ICE field office)", "1 Federal Dr, Fort Snelling, MN"),
        ("Sherburne County Jail", "13880 Business Center Dr NW, Elk River, MN"),
        ("Freeborn County Adult Detention Center", "411 S Broadway Ave, Albert Lea, MN"),
    ]
}
# One demo member's emergency plan, so the hotline has one to open: fictional people,
# reserved numbers and addresses. Its PIN is printed by `make demo` like the passwords.
DEMO_PLAN_PIN = "4826"
DEMO_PLAN = {
    "contacts": [
        {
            "name": "Lucía (demo)",
            "relation": "sibling",
            "channel": "sms",
            "address": "+16125550142",
            "language": "es",
        }
    ],
    "lawyer": {
        "name": "MNA legal partner (demo)",
        "channel": "email",
        "address": "legal@example.org",
        "language": "en",
    },
    "message": "Estoy detenida. Recoge a los niños en la escuela a las 3.",
    "covered_message": "Mi esposo fue detenido. Yo estoy bien; recoge a los niños a las 3.",
    "children": "Dos niños, 5 y 8 años, Anishinabe Academy",
    "pickup": "Lucía o la abuela",
    "medication": "",
    "pets": "",
    "documents": "Carpeta azul en la cocina",
    "covers": "Mi esposo",
}

# The coalition brings together the Minneapolis locals.
COALITIONS = {MRLF: (MNA, SEIU_26, UNITE_HERE_17, ATU_1005, CWA_7250, MFE)}

HCMC = "Hennepin County Medical Center, Minneapolis"
MPLS_VA = "Minneapolis VA Medical Center"
ANISHINABE = "Anishinabe Academy, Minneapolis"
METRO_GARAGE = "Metro Transit garage, Minneapolis"
KAISER_OAKLAND = "Kaiser Oakland"
KAISER_SAN_JOSE = "Kaiser San Jose"
KAISER_SAN_LEANDRO = "Kaiser San Leandro"
KAISER_VALLEJO = "Kaiser Vallejo"
KAISER_SF = "Kaiser San Francisco (Geary Blvd)"
KAISER_ROSEVILLE = "Kaiser Roseville"
KAISER_SACRAMENTO = "Kaiser Sacramento"
KAISER_RICHMOND = "Kaiser Richmond"
CALIFORNIA_HOSPITAL = "California Hospital, Los Angeles"
MOUNT_SINAI = "Mount Sinai, New York"
NYP = "NewYork-Presbyterian, New York"
MONTEFIORE = "Montefiore, Bronx"
VA_NY_HARBOR = "VA NY Harbor Healthcare Center"

# fmt: off
SITES = [
    DemoSite(HCMC, "hospital", "701 Park Ave, Minneapolis, MN", "44.9727", "-93.2622",
             (MNA, SEIU_26, UNITE_HERE_17)),
    DemoSite(MPLS_VA, "hospital", "1 Veterans Dr, Minneapolis, MN", "44.9006", "-93.2036",
             (MNA,)),
    DemoSite(ANISHINABE, "school", "Minneapolis, MN", "44.9496", "-93.2450", (MFE,)),
    DemoSite(METRO_GARAGE, "transit", "Minneapolis, MN", "44.9862", "-93.2762", (ATU_1005,)),
    DemoSite(KAISER_OAKLAND, "hospital", "Oakland, CA", "37.8244", "-122.2567", (KAISER_BAY,)),
    DemoSite(KAISER_SAN_JOSE, "hospital", "San Jose, CA", "37.2399", "-121.8327", (KAISER_BAY,)),
    DemoSite(KAISER_SAN_LEANDRO, "hospital", "San Leandro, CA", "37.6985", "-122.1437",
             (KAISER_BAY,)),
    DemoSite(KAISER_VALLEJO, "hospital", "Vallejo, CA", "38.1146", "-122.2327", (KAISER_BAY,)),
    DemoSite(KAISER_SF, "hospital", "Geary Blvd, San Francisco, CA", "37.7826", "-122.4433",
             (KAISER_BAY,)),
    DemoSite(KAISER_ROSEVILLE, "hospital", "Roseville, CA", "38.7535", "-121.2875",
             (KAISER_VALLEY,)),
    DemoSite(KAISER_SACRAMENTO, "hospital", "Sacramento, CA", "38.5686", "-121.4663",
             (KAISER_VALLEY,)),
    DemoSite(KAISER_RICHMOND, "hospital", "Richmond, CA", "37.9359", "-122.3464", (KAISER_BAY,)),
    DemoSite(CALIFORNIA_HOSPITAL, "hospital", "Los Angeles, CA", "34.0375", "-118.2655", (NNU,)),
    DemoSite(MOUNT_SINAI, "hospital", "New York, NY", "40.7900", "-73.9526", (NYSNA,)),
    DemoSite(NYP, "hospital", "New York, NY", "40.7644", "-73.9543", (NYSNA,)),
    DemoSite(MONTEFIORE, "hospital", "Bronx, NY", "40.8800", "-73.8790", (NYSNA,)),
    DemoSite(VA_NY_HARBOR, "hospital", "New York, NY", "40.7369", "-73.9768", (NYSNA,)),
]
# fmt: on

MINNEAPOLIS = (44.9778, -93.2650)
SAN_FRANCISCO = (37.7749, -122.4194)

# fmt: off
UNITS = [
    DemoUnit(MNA, "HCMC registered nurses", (HCMC,), 45, spanish_share=0.25),
    DemoUnit(MNA, "Minneapolis VA registered nurses", (MPLS_VA,), 25, spanish_share=0.15),
    DemoUnit(SEIU_26, "HCMC security officers", (HCMC,), 20, spanish_share=0.5),
    DemoUnit(UNITE_HERE_17, "HCMC food service workers", (HCMC,), 20, spanish_share=0.6),
    DemoUnit(ATU_1005, "Metro Transit bus operators", (METRO_GARAGE,), 40, spanish_share=0.3),
    DemoUnit(ATU_1005, "Metro Transit mechanics", (METRO_GARAGE,), 12, spanish_share=0.2),
    DemoUnit(CWA_7250, "Minnesota telecom technicians", (), 12, home=MINNEAPOLIS,
             spanish_share=0.2),
    DemoUnit(MFE, "Minneapolis teachers", (ANISHINABE,), 30, spanish_share=0.3),
    DemoUnit(MFE, "Minneapolis education support professionals", (ANISHINABE,), 15,
             spanish_share=0.4),
    DemoUnit(UESF, "San Francisco teachers", (), 20, home=SAN_FRANCISCO, spanish_share=0.35,
             region="ca"),
    DemoUnit(KAISER_BAY, "Kaiser Bay Area registered nurses",
             (KAISER_OAKLAND, KAISER_SAN_JOSE, KAISER_SAN_LEANDRO, KAISER_VALLEJO, KAISER_SF,
              KAISER_RICHMOND), 60, spanish_share=0.3, region="ca"),
    DemoUnit(KAISER_VALLEY, "Kaiser Sacramento Valley registered nurses",
             (KAISER_ROSEVILLE, KAISER_SACRAMENTO), 20, spanish_share=0.3, region="ca"),
    DemoUnit(NNU, "California Hospital registered nurses", (CALIFORNIA_HOSPITAL,), 12,
             spanish_share=0.5, region="ca"),
    DemoUnit(NYSNA, "Mount Sinai registered nurses", (MOUNT_SINAI,), 15, region="ny"),
    DemoUnit(NYSNA, "NewYork-Presbyterian registered nurses", (NYP,), 15, region="ny"),
    DemoUnit(NYSNA, "Montefiore registered nurses", (MONTEFIORE,), 15, spanish_share=0.4,
             region="ny"),
    DemoUnit(NYSNA, "VA NY Harbor registered nurses", (VA_NY_HARBOR,), 10, region="ny"),
]
# fmt: on

# Fictional phone numbers: 555-0100 to 555-0199 are reserved for fiction in each area code.
AREA_CODES = {
    "mn": ("612", "651", "763", "952"),
    "ca": ("510", "415", "408", "916", "707", "213", "925", "650"),
    "ny": ("212", "718", "917", "646", "347"),
}

# Reserved for testing (RFC 2606 .test), so no demo email can ever reach a real inbox.
EMAIL_DOMAIN = "demo.tocsin.test"

# Structure (tocsin/demo/structure.py): the bus operators' unit, organized by the demo
# organizer and one operator who organizes from inside it, rated 1-5 for most members, and
# its structure test. The test's date is the next Jan 16 from the day the demo loads.
STRUCTURE_UNIT = (ATU_1005, "Metro Transit bus operators")
STRUCTURE_TEST_NAME = "70% at 1-2 by Jan 16"
STRUCTURE_TEST_TARGET = 70
STRUCTURE_TEST_DAY = (1, 16)
# Of every 20 operators: how many stand at 1, 2, 3, 4, 5 and how many nobody has rated yet.
STRUCTURE_SCORES = (3, 9, 4, 1, 1, 2)

# The week of action (tocsin/demo/campaigns.py): National Nurses United's campaign, with its
# Kaiser locals and NYSNA taking part; a vigil at each site, 6 to 7:30 pm local time.
WEEK_OF_ACTION = "Week of action, Jan 26 - Feb 4"
WEEK_OF_ACTION_DAYS = ((1, 26), (2, 4))  # (month, day) in the action year
WEEK_OF_ACTION_PARTICIPANTS = (KAISER_BAY, KAISER_VALLEY, NYSNA)
# (site, day in the action year's January, host organization, time zone)
VIGILS = [
    (KAISER_OAKLAND, 26, NNU, "America/Los_Angeles"),
    (KAISER_SAN_JOSE, 26, NNU, "America/Los_Angeles"),
    (KAISER_SAN_LEANDRO, 26, NNU, "America/Los_Angeles"),
    (KAISER_VALLEJO, 26, NNU, "America/Los_Angeles"),
    (KAISER_SF, 27, NNU, "America/Los_Angeles"),
    (KAISER_ROSEVILLE, 28, NNU, "America/Los_Angeles"),
    (KAISER_SACRAMENTO, 28, NNU, "America/Los_Angeles"),
    (KAISER_RICHMOND, 30, NNU, "America/Los_Angeles"),
    (VA_NY_HARBOR, 29, NYSNA, "America/New_York"),
]

# Votes (tocsin/demo/votes.py): two secret ballots of the bus operators. One closed three days
# before the demo loads, with its result (of each 40 on the roll: 24 yes, 5 no, 11 did not
# vote); one open for a week from the day it loads, its ballots in the demo outbox.
VOTES_UNIT = (ATU_1005, "Metro Transit bus operators")
CLOSED_VOTE_QUESTION = (
    "Do we ask Metro Transit for contract language that keeps ICE out of the garage "
    "without a judicial warrant?"
)
CLOSED_VOTE_OPTIONS = ("Yes", "No")
CLOSED_VOTE_BALLOTS = (24, 5)
OPEN_VOTE_QUESTION = "Which day of the week of action do we hold our vigil at the garage?"
# The open vote's options: days of the action year's January, named with their weekday in
# that year (open_vote_options), so the names stay true as the demo's January moves on.
OPEN_VOTE_DAYS = (26, 28, 30)
VOTE_QUORUM_PERCENT = 50


# The articles' January (the ATU pledge's deadline on the 21st, the week of action from the
# 26th) is always the coming one: 2027 until January 20, 2027, then 2028, and so on, so the
# demo and the tests that play it stay in the future whatever day they run.
LAST_DAY_OF_THE_ACTION_YEAR = (1, 20)


def action_year(today: date | None = None) -> int:
    """Return the year of the coming January in which the demo's actions happen."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if (today.month, today.day) <= LAST_DAY_OF_THE_ACTION_YEAR:
        return today.year
    return today.year + 1


# English names, whatever the machine's locale: the options are text the organizer typed.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def open_vote_options(year: int) -> tuple[str, ...]:
    """Return the open vote's options for the January of `year`: "Tuesday, January 26"..."""
    return tuple(
        f"{WEEKDAYS[date(year, 1, day).weekday()]}, January {day}" for day in OPEN_VOTE_DAYS
    )
