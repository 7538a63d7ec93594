"""The three walks of the README, lived by a member who speaks Spanish and one who speaks
Somali, on a phone (issue "Step 8 — Field-correct", its "Done when").

- The Hennepin morning: a nurse reports in her language from the nurses' report page, whose
  map opens on the hospital (a site's own page has no map: its point is the site's), and
  puts the pin where the agents are; the stored report is there. The dispatcher broadcasts;
  the members who speak her language get the verified alert, then the all-clear, by text,
  Signal and email, in that language, and every link those messages carry opens a page in
  it.
- The hotline: a member writes her plan in her language; her husband is taken; her family,
  who speak it too, are told in it by text, Signal and email.
- The ATU pledge: bus operators who speak the language get the pledge by text, Signal and
  email, follow its link, sign, and are told in it that the pledge is on.

No English sentence of the member catalogs may reach them, in a message or on a page a
message links to, the know-your-rights pages included: they are Tocsin's own (decision 0031),
so no link leaves it. The words a dispatcher types into an all-clear still reach every
reader as typed: the last test marks that gap.
"""

import html
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

import tocsin
from tests.browser import REPORT_ZOOM, metres_between, tap_off_centre
from tests.conftest import (
    browser_context,
    make_org,
    make_person,
    make_site,
    sign_in_browser,
    wait_until,
)
from tests.translations import MEMBER_APPS, entries
from tocsin.accounts.models import ContactPoint, Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.hotline.models import Case, CaseMessage
from tocsin.joining.links import member_link_url
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import checks as pledge_checks
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing
from tocsin.response.models import Incident, Report

pytestmark = [pytest.mark.browser, pytest.mark.long, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("es", "so")
HENNEPIN = (44.9727, -93.2622)

# What each member writes in their own words (what a catalog cannot translate).
SEEN = {
    "es": "Camionetas sin placas y agentes con chalecos en la entrada de ambulancias",
    "so": "Baabuur aan summad lahayn iyo saraakiil jaakado xiran oo ag jooga albaabka gurmadka",
}
# The dispatcher's own words for each language's readers (decision 0018).
ENGLISH_WORDS = "At the ambulance bay, in tactical vests"
OWN_WORDS = {
    "es": "En la entrada de ambulancias, con chalecos tácticos",
    "so": "Albaabka gurmadka degdegga, iyagoo xiran jaakado",
}
NAMES = {"es": "Español", "so": "Soomaali"}
PLAN_MESSAGE = {
    "es": "Se llevaron a Miguel. Recoge a Sofía y a Mateo en la escuela a las 3.",
    "so": "Miguel waa la qabtay. Sofia iyo Mateo ka soo qaad dugsiga saacadda 3.",
}
# The members of each walk who speak the language: one per channel, with its address.
CHANNELS = (
    (ContactPoint.Channel.SMS, "+1612555{n}001"),
    (ContactPoint.Channel.SIGNAL, "+1612555{n}002"),
    (ContactPoint.Channel.EMAIL, "walker{n}@example.org"),
)
# The sentence every Tocsin page ends with, in the reader's language.
FOOTER = (
    "Tocsin never asks for immigration status. Your contact details are encrypted, and only "
    "your union's people who need them can read them."
)
TAKEN = "%(detained)s has been detained. %(member)s asked us to tell you."
ON = 'It\'s on: %(percent)s%% of %(group)s committed to "%(action)s".'
URL = re.compile(r"https?://[^\s<>\"'“”]+")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]*\}")
# Short English words that mark an English message, too short for the sentence check.
ENGLISH_MARKERS = re.compile(r"\b(VERIFIED|ALL CLEAR|PLEDGE|Where:|Since:|Know your rights)")


def links_in(text: str) -> list[str]:
    """Return every http(s) URL in a message (its text, HTML or headers), once each, in order
    of appearance, without the punctuation a sentence puts after it."""
    found: list[str] = []
    for match in URL.finditer(html.unescape(text)):
        url = match.group(0).rstrip(".,;:!?)»")
        if url not in found:
            found.append(url)
    return found


def english_patterns(language: str) -> list[re.Pattern]:
    """Return a pattern per English sentence of the member catalogs that a reader of
    `language` could meet untranslated: at least three words outside its placeholders, and
    written differently in `language`. A placeholder matches any words."""
    patterns = []
    for app in MEMBER_APPS:
        catalog = (
            Path(tocsin.__file__).parent / app / "locale" / language / "LC_MESSAGES" / "django.po"
        )
        for msgid, plural, msgstrs in entries(catalog):
            for english in filter(None, (msgid, plural)):
                if "<" in english or english in msgstrs:
                    continue
                pieces = PLACEHOLDER.split(english)
                if len(" ".join(pieces).split()) < 3:
                    continue
                pattern = ".+?".join(re.escape(piece) for piece in pieces)
                patterns.append(re.compile(pattern.replace("%%", "%")))
    return patterns


_ENGLISH: dict[str, list[re.Pattern]] = {}


def english_in(text: str, language: str) -> list[str]:
    """Return the English sentences of the catalogs found in `text`."""
    if language not in _ENGLISH:
        _ENGLISH[language] = english_patterns(language)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    found = [pattern.pattern for pattern in _ENGLISH[language] if pattern.search(text)]
    return found + ENGLISH_MARKERS.findall(text)


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def assert_in_language(page_text: str, language: str, *phrases: str) -> None:
    """Fail unless `page_text` is in `language`: no English sentence of the member catalogs
    in it, and each of `phrases` (English msgids; a page's footer when none are given) in it
    as `language` says it."""
    english = english_in(page_text, language)
    assert english == [], f"English in a {language} text: {english}\n{page_text}"
    flat = " ".join(html.unescape(page_text).split())
    for phrase in phrases or (FOOTER,):
        said = in_language(language, phrase)
        assert said != phrase, f"{phrase!r} has no {language} translation"
        pieces = PLACEHOLDER.split(" ".join(said.replace("%%", "%").split()))
        pattern = ".+?".join(re.escape(piece) for piece in pieces)
        assert re.search(pattern, flat, re.IGNORECASE), (
            f"{said!r} ({phrase!r}) not in:\n{page_text}"
        )


def test_the_language_check_catches_an_english_message_and_a_spanish_one_in_somali():
    english = "VERIFIED — MNA\nAgents on foot\nKnow your rights: https://example.org/"
    with pytest.raises(AssertionError):
        assert_in_language(english, "es", "VERIFIED")
    spanish = in_language("es", "Tocsin never asks for immigration status.")
    with pytest.raises(AssertionError):
        assert_in_language(spanish, "so", "Tocsin never asks for immigration status.")
    assert english_in(in_language("en", FOOTER), "so")
    assert links_in('Read it: https://t.example/a/x1/. <a href="http://t.example/u/y/">') == [
        "https://t.example/a/x1/",
        "http://t.example/u/y/",
    ]


@pytest.fixture
def phone_for(chromium, live_server):
    """Return a factory of phone-sized pages whose browser speaks the given language; every
    request leaving this machine is refused."""
    contexts = []

    def make(language: str):
        context = browser_context(chromium, "phone", language)
        context.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda r: r.abort())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def walk_settings(settings, live_server):
    settings.TOCSIN_MAP_TILES_URL = ""
    settings.TOCSIN_BASE_URL = live_server.url
    return settings


def messages_for(servers, address: str) -> list[str]:
    """Every message the local servers received for `address`, each as one text: an email's
    subject, text, HTML and List-Unsubscribe header; a text or Signal message's text."""
    smtp, signal, sms = servers["email"], servers["signal"], servers["sms"]
    found = [
        "\n".join((m["subject"], m["body"], m["html"], m["headers"].get("List-Unsubscribe", "")))
        for m in smtp.messages
        if m["to"] == [address]
    ]
    found += [m["text"] for m in signal.messages + sms.messages if m["to"] == address]
    return found


def walkers(org, language: str, n: int, **membership) -> list[tuple[object, str]]:
    """Three members who speak `language`, one reached by each channel: (person, address)."""
    people = []
    for channel, address in CHANNELS:
        address = address.format(n=n)
        person = make_person(org, name=f"Walker {channel}", language=language, **membership)
        add_contact(person, channel, address, True)
        people.append((person, address))
    return people


def follow_every_link(phone, live_server, message: str, language: str) -> list[str]:
    """Open each link of `message` on the phone; each of Tocsin's must answer 200 with a page
    in `language`. Return the links followed."""
    followed = []
    for link in links_in(message):
        # No link leaves Tocsin: even the rights pages are its own (decision 0031).
        assert link.startswith(live_server.url + "/"), link
        answer = phone.goto(link)
        assert answer is not None and answer.status == 200, (link, answer and answer.status)
        assert phone.evaluate("document.documentElement.lang") == language, link
        assert_in_language(phone.locator("body").inner_text(), language)
        followed.append(urlsplit(link).path)
    return followed


def each_message(servers, addresses, count=1):
    """Wait until each address has `count` messages; return {address: its newest}."""
    wait_until(lambda: all(len(messages_for(servers, a)) >= count for a in addresses))
    return {a: messages_for(servers, a)[count - 1] for a in addresses}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_hennepin_morning_in(
    language, phone_for, desk, live_server, org, site, servers, walk_settings, fresh_report_rate
):
    members = walkers(org, language, 1)
    for person, _address in members:
        follow_site(person, org, site)
    addresses = [address for _person, address in members]
    dispatcher = make_person(org, Role.DISPATCHER, email="dana@mna.test", name="Dana")

    # The nurse reports from her phone, in her language, and puts the pin where they are.
    nurse = phone_for(language)
    nurse.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))
    assert_in_language(nurse.locator("body").inner_text(), language, "Send the report")
    nurse.locator("textarea[name=activity]").fill(SEEN[language])
    dropped = tap_off_centre(nurse, ".pin-map.leaflet-container", 70, -50, HENNEPIN, REPORT_ZOOM)
    expect(nurse.locator("[data-clear]")).to_be_visible()
    nurse.locator("form.report button[type=submit]").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text(
        in_language(language, "Thank you: your report is in")
    )
    assert_in_language(nurse.locator("body").inner_text(), language)
    report = Report.objects.get()
    assert metres_between((float(report.lat), float(report.lng)), dropped) < 25
    incident = Incident.objects.get()

    # The dispatcher claims it and broadcasts it with the incident page's form.
    sign_in_browser(desk, live_server, dispatcher)
    desk.goto(
        live_server.url
        + reverse("response:incident", kwargs={"org": org.slug, "incident": incident.public_id})
    )
    desk.keyboard.press("c")
    expect(desk.get_by_text("You have this incident.")).to_be_visible()
    desk.wait_for_load_state()
    desk.keyboard.press("b")
    desk.get_by_label("Agents on foot").check()
    desk.get_by_label("Unmarked vehicles").check()
    desk.get_by_label("What people are asked to do").select_option("stay_away")
    desk.get_by_label("English: your own words (optional)").fill(ENGLISH_WORDS)
    desk.get_by_label(f"{NAMES[language]}: your own words (optional)").fill(OWN_WORDS[language])
    desk.get_by_role("button", name="See who it reaches").click()
    expect(desk.locator(f'[data-preview="languages"] [data-count="{language}"]')).to_have_text("3")
    desk.get_by_role("button", name="Send to 3 people").click()
    expect(desk.get_by_text("Verified alert sent to 3 people.")).to_be_visible()

    # Each member gets it in their language, and every link in it opens a page in it.
    phone = phone_for(language)
    alerts = each_message(servers, addresses)
    for address, message in alerts.items():
        assert ENGLISH_WORDS not in message
        if address == addresses[0]:  # a text message is cut to its segments: the headline stays
            assert_in_language(message, language, "VERIFIED")
        else:
            assert_in_language(message, language, "VERIFIED", "agents on foot")
            assert OWN_WORDS[language] in message
        followed = follow_every_link(phone, live_server, message, language)
        # On Signal a verified alert to members is one text shared by many, with no personal
        # link (decisions 0004 and 0021); every other channel carries it.
        if address != addresses[1]:
            assert any(path.startswith("/a/") for path in followed), (address, message)
    email = alerts[addresses[2]]
    assert any(
        path.startswith("/u/") for path in follow_every_link(phone, live_server, email, language)
    )

    # The all-clear, the same.
    desk.get_by_text("All-clear", exact=True).click()
    desk.get_by_label("The all-clear people will get").fill("The ambulance bay is clear.")
    desk.get_by_role("button", name="Send the all-clear to the same people").click()
    expect(desk.get_by_text("All-clear sent to 3 people.")).to_be_visible()
    for address, message in each_message(servers, addresses, count=2).items():
        # A text message is cut to its segments: its headline stays.
        over = () if address == addresses[0] else ("The activity reported earlier is over.",)
        assert_in_language(message, language, "ALL CLEAR", *over)
        follow_every_link(phone, live_server, message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_hotline_in(language, phone_for, desk, live_server, org, site, servers, walk_settings):
    rosa = make_person(org, name="Rosa Rivera", language=language, site=site)
    rosa_email = add_contact(rosa, "email", "rosa@example.org", True)
    volunteer = make_person(org, Role.HOTLINE, email="hana@mna.test", name="Hana")
    family = {"sms": "+16125550251", "signal": "+16125550252", "email": "lucia@example.org"}

    # Rosa writes her plan in her language, from the link of her own.
    phone = phone_for(language)
    phone.goto(member_link_url(rosa_email))
    phone.goto(live_server.url + reverse("hotline:plan"))
    assert_in_language(phone.locator("body").inner_text(), language, "Your message to them")
    for row, (channel, address) in enumerate(family.items(), start=1):
        phone.locator(f"[name=contact{row}_name]").fill(f"Lucía {row}")
        phone.locator(f"[name=contact{row}_relation]").select_option("relative")
        phone.locator(f"[name=contact{row}_channel]").select_option(channel)
        phone.locator(f"[name=contact{row}_address]").fill(address)
        phone.locator(f"[name=contact{row}_language]").select_option(language)
    phone.locator("[name=covered_message]").fill(PLAN_MESSAGE[language])
    phone.locator("[name=covers]").fill("Miguel Rivera")
    phone.locator("[name=pin]").fill("4826")
    phone.locator("main form button[type=submit]").last.click()
    expect(
        phone.get_by_text(in_language(language, "Your emergency plan is saved."))
    ).to_be_visible()
    assert_in_language(phone.locator("body").inner_text(), language)

    # Miguel is taken; the hotline opens the case for someone Rosa's plan covers.
    sign_in_browser(desk, live_server, volunteer)
    desk.goto(live_server.url + reverse("hotline:case_new", kwargs={"org": org.slug}))
    desk.get_by_label("someone a member's plan covers (their family)").check()
    desk.get_by_label("The member (their phone, email or name as we have it)").fill("Rosa Rivera")
    desk.get_by_label("Name or alias of the person taken").fill("Miguel Rivera")
    desk.get_by_label("By which agency").select_option("ice")
    desk.get_by_role("button", name="Open the case").click()
    expect(desk.get_by_text(re.compile(r"Case \w+ is open"))).to_be_visible()
    case = Case.objects.get()

    # Her family hears it in their language, on each channel, with her words.
    wait_until(lambda: CaseMessage.objects.filter(status="sent").count() == 3)
    for address, message in each_message(servers, list(family.values())).items():
        assert_in_language(message, language, TAKEN)
        assert PLAN_MESSAGE[language] in message and case.code in message, address
        follow_every_link(phone, live_server, message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_atu_pledge_in(language, phone_for, live_server, servers, walk_settings):
    atu = make_org(slug="atu-local-1005", name="ATU Local 1005 (Metro Transit)")
    garage = make_site(atu, name="Metro Transit garage", lat="44.986200", lng="-93.276200")
    unit = Unit.objects.create(organization=atu, name="Metro Transit bus operators")
    unit.sites.add(garage)
    members = walkers(atu, language, 3)
    others = []
    for index in range(9):
        person = make_person(atu, name=f"Operator {index}")
        add_contact(person, ContactPoint.Channel.EMAIL, f"operator{index}@atu.test", True)
        others.append(person)
    Membership.objects.filter(organization=atu).update(unit=unit, site=garage)
    organizer = make_person(atu, Role.ORGANIZER, name="Olga Organizer")
    pledge = pledge_services.create_pledge(
        organizer,
        atu,
        pledge_checks.PledgeInput(
            action="We stay out on January 23",
            scope=Pledge.Scope.UNIT,
            units=[unit],
            threshold_kind=Pledge.ThresholdKind.PERCENT,
            threshold_value=60,
            deadline=timezone.now() + timedelta(days=7),
        ),
    )
    pledge_services.send_pledge(organizer, pledge)
    # Five of the twelve sign before them; the third of them to sign is the eighth (67%).
    for person in others[:5]:
        signing.sign(person, pledge)
    addresses = [address for _person, address in members]

    # Each operator who speaks the language gets it on their channel, follows its link and
    # signs in their language; the last of them turns it on.
    for address, invitation in each_message(servers, addresses).items():
        if address == addresses[0]:  # the text message's short form
            assert_in_language(invitation, language, "Pledge: %(action)s")
        else:
            assert_in_language(invitation, language, "PLEDGE", "Read it and sign:")
        phone = phone_for(language)
        followed = follow_every_link(phone, live_server, invitation, language)
        link = next(url for url in links_in(invitation) if "/a/" in urlsplit(url).path)
        assert urlsplit(link).path in followed
        phone.goto(link)
        phone.locator("button.big").click()
        expect(phone.get_by_test_id("signed")).to_be_visible()
        assert_in_language(phone.locator("body").inner_text(), language)
    expect(phone.get_by_test_id("pledge-on")).to_be_visible()
    assert Pledge.objects.get().state == Pledge.State.ACTIVE

    # Each of them is told it is on, in their language; every link of it opens a page in it.
    for address, message in each_message(servers, addresses, count=2).items():
        # A text message is cut to its segments: its headline stays.
        assert_in_language(message, language, "It's on" if address == addresses[0] else ON)
        assert follow_every_link(phone_for(language), live_server, message, language), address


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_all_clear_reaches_a_reader_with_no_english_words(language, org, site, smtp_server):
    from tocsin.response.services.broadcast import AlertFacts, clear_incident, confirm_incident
    from tocsin.response.services.reports import ReportInput, submit_report

    reader = make_person(org, name="Hodan", language=language)
    add_contact(reader, ContactPoint.Channel.EMAIL, "hodan@example.org", True)
    follow_site(reader, org, site)
    english = make_person(org, name="Pat", language="en")
    add_contact(english, ContactPoint.Channel.EMAIL, "pat@example.org", True)
    follow_site(english, org, site)
    dispatcher = make_person(org, Role.DISPATCHER, name="Dana")
    submit_report(org, ReportInput(activity=SEEN[language], site=site), "web")
    incident = Incident.objects.get()
    confirm_incident(dispatcher, incident, AlertFacts(seen=("agents_on_foot",), ask="stay_away"))
    clear_incident(dispatcher, incident, "The agents left at 8:15. The ambulance bay is clear.")

    # Each reader's last message is the all-clear (the verified alert came first).
    received = {m["to"][0]: m for m in smtp_server.wait_for(4)}
    all_clear = received["hodan@example.org"]
    assert_in_language(all_clear["subject"] + "\n" + all_clear["body"], language, "ALL CLEAR")
    assert "The ambulance bay is clear." not in all_clear["body"]
    # The dispatcher's own words reach the readers of the language they wrote in.
    assert "The ambulance bay is clear." in received["pat@example.org"]["body"]
