"""The words of the playbooks: the general rights page and one page per role.

They are written here, reviewed and versioned with the code, and translated in this app's
catalogues like every other string (decision 0031): a local adds its own note per site in
the database, never edits the legal wording. Calm and short: a frightened member reads
them on a phone, perhaps with agents at the door.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Point:
    title: str | Promise
    text: str | Promise


@dataclass(frozen=True)
class RolePage:
    slug: str  # in its URL: /rights/<slug>/
    title: str | Promise
    lede: str | Promise
    steps: tuple[str | Promise, ...]


RIGHTS_TITLE = _("Know your rights")
RIGHTS_LEDE = _(
    "What you can do if immigration agents come to your home, your work or your car. "
    "These rights are yours, whatever your papers say."
)
RIGHTS = (
    Point(
        _("You have the right to remain silent."),
        _(
            "You do not have to answer questions about where you were born, your papers or "
            'how you came here. You can say: "I choose to remain silent."'
        ),
    ),
    Point(
        _("Do not open the door."),
        _(
            "Agents may not enter a home without a judicial warrant signed by a judge. Ask "
            "them to slide it under the door or hold it up to a window."
        ),
    ),
    Point(
        _("Do not sign anything."),
        _("Do not sign papers you do not understand, or before you have spoken to a lawyer."),
    ),
    Point(
        _("Ask for a lawyer."),
        _(
            "Say: \"I want to speak to a lawyer.\" Keep a lawyer's number, or your union's "
            "hotline, with you."
        ),
    ),
    Point(
        _("Stay calm and do not run."),
        _("Keep your hands where they can be seen. Do not lie and do not carry false papers."),
    ),
    Point(
        _("Write down what you see."),
        _("Names, badge numbers, vehicles and the time. Film only if it is safe, from a distance."),
    ),
)
WARRANTS_TITLE = _("Administrative or judicial warrant?")
WARRANTS = (
    _(
        "A judicial warrant is signed by a judge and names a court, such as a United States "
        "District Court. It allows agents into the place it names."
    ),
    _(
        "An administrative warrant (forms I-200 or I-205) is signed by an immigration officer, "
        "not a judge. It does not allow agents into a home, or into the private areas of a "
        "workplace, without consent."
    ),
    _(
        "If you are not sure which one it is, do not open the door, do not consent, and call for help."
    ),
)
NOT_LEGAL_ADVICE = _(
    "This is general information, not legal advice. For your own situation, speak to a lawyer."
)

ROLES = (
    RolePage(
        "front-desk",
        _("At the front desk"),
        _("You are often the first person agents speak to. Calm answers protect everyone inside."),
        (
            _("Stay calm and polite. You do not have to answer questions or say who is inside."),
            _("Ask for the agents' names, agency and badge numbers, and write them down."),
            _("Ask to see a warrant. Check that a judge signed it and that it names this address."),
            _(
                "Do not let agents into private areas without a judicial warrant. Say: "
                '"I do not consent to a search."'
            ),
            _("Call the person your workplace named for this, and your union's rapid response."),
            _("Do not block agents with your body and do not lie. Saying nothing is your right."),
            _("Report what you saw in Tocsin as soon as it is safe."),
        ),
    ),
    RolePage(
        "teacher",
        _("At school"),
        _("Every child has the right to go to school, whatever their family's papers say."),
        (
            _(
                "Do not let agents into classrooms or hand over a student without a judicial "
                "warrant. Send them to the principal's office."
            ),
            _("Student records are private: do not share names, addresses or timetables."),
            _("Keep students calm and inside, and follow the school's safety plan."),
            _("Call the principal and your union's rapid response."),
            _("Release a child only to an adult on their emergency card."),
            _("Write down the time, names, badge numbers and what was said."),
        ),
    ),
    RolePage(
        "bus-operator",
        _("On the bus"),
        _("Your job is to keep your riders safe and the bus moving."),
        (
            _(
                "You do not have to answer questions about riders or say where a rider got on or off."
            ),
            _("Stay calm and call dispatch on the radio. Keep the doors closed while you move."),
            _("Do not block agents with your body. Keep yourself and your riders safe."),
            _("Note the time, the route, the stop, and what the agents wore and drove."),
            _("Tell your union's rapid response, and report it in Tocsin once the bus is stopped."),
        ),
    ),
    RolePage(
        "nurse",
        _("At the hospital or clinic"),
        _("Patients must be able to seek care without fear."),
        (
            _(
                "Patient information is private. Do not confirm that someone is a patient or "
                "share records without a judicial warrant or a court order."
            ),
            _(
                "Send agents to the person your hospital named for this: security or the administrator on call."
            ),
            _("Do not let agents into patient rooms or care areas without a judicial warrant."),
            _("Keep caring for your patients. Nobody can make you stop care."),
            _("Write down names, badge numbers, the time and what was asked."),
            _("Call your union's rapid response and report it in Tocsin."),
        ),
    ),
    RolePage(
        "legal-observer",
        _("As a legal observer"),
        _("You watch and you write it down; you do not step in. Your notes may matter in court."),
        (
            _("Wear your observer vest or badge and keep a safe distance."),
            _(
                "Write down facts: the time, the place, how many agents, their agency, badge "
                "numbers, vehicles and plates."
            ),
            _("Film only if it is safe. Say the time and the place at the start of the video."),
            _(
                "Do not argue, touch anyone or get in the way. Do not give legal advice on the spot."
            ),
            _(
                "Ask for the name of anyone detained and a family contact, if they want to give them."
            ),
            _("Answer the alert from your link when you are on your way, on scene and gone."),
            _("Give your notes to the legal team the same day."),
        ),
    ),
)
BY_SLUG = {page.slug: page for page in ROLES}

# The role pages that apply at a site of each kind (accounts.Site.Kind) when no local
# chose: everyone's front desk, the site's own trade, and observers everywhere.
KIND_ROLES = {
    "hospital": ("front-desk", "nurse", "legal-observer"),
    "clinic": ("front-desk", "nurse", "legal-observer"),
    "school": ("front-desk", "teacher", "legal-observer"),
    "transit": ("bus-operator", "legal-observer"),
    "workplace": ("front-desk", "legal-observer"),
    "other": ("front-desk", "legal-observer"),
}
