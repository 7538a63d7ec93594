"""A verified alert is composed from facts, each said in the recipient's language, and the
dispatcher's own words per language (decision 0018). The preview before Send counts the
audience with the fan-out's own queries.

Everything here goes as a dispatcher does it, through the incident page's two clicks, and
is read back from what the local email, SMS, Signal and web push servers received.
"""

import re

import pytest

from tests.conftest import make_person
from tocsin.accounts.models import ContactPoint, Person, SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area, follow_site
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident

from .conftest import file_report

SPANISH_NOTE = "Entrada de ambulancias por la calle 8. No salgan solos."
ENGLISH_NOTE = "Ambulance entrance on 8th Street. Do not leave alone."
# Every word the facts put in an English message, which no Spanish reader may get.
ENGLISH_FACT_WORDS = (
    "VERIFIED",
    "Agents",
    "agents",
    "vehicles",
    "arrest",
    "progress",
    "Where",
    "Since",
    "since",
    "Until",
    "Stay away",
    "warn",
    "coworkers",
    "Know your rights",
)
SPANISH_FACT_WORDS = ("VERIFICADO", "Agentes", "vehículos", "arresto", "Desde", "Hasta", "Aléjate")


def words_in(text, words):
    """Return which of `words` stand in `text` as words (not inside another: "arresto")."""
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def page(org, incident, action=""):
    base = f"/staff/o/{org.slug}/incidents/{incident.public_id}/"
    return base + (f"{action}/" if action else "")


def hidden(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else ""


def table(html, kind):
    """Return {key: count} of one of the preview's tables, as the page shows it."""
    found = re.search(rf'data-preview="{kind}">(.*?)</table>', html, re.S)
    assert found, f"no {kind} table in the preview"
    return {key: int(n) for key, n in re.findall(r'data-count="([^"]+)">(\d+)<', found.group(1))}


def reachable(org, name, channel, address, language="en", roles=Role.MEMBER):
    person = make_person(org, roles, name=name, language=language)
    add_contact(person, channel, address, True)
    return person


@pytest.fixture
def incident(org, site):
    file_report(org, site=site, activity="Unmarked SUVs at the ambulance bay")
    return Incident.objects.get()


@pytest.fixture
def neighbours(org, other_org, site):
    """The Hennepin morning's people: Spanish and English readers of the nurses' local on
    SMS and email, SEIU Local 26 members on Signal and email, a legal observer."""
    site.organizations.add(other_org)
    SharingAgreement.objects.create(organization=org, partner=other_org, alerts=True)
    people = {
        "rosa": reachable(org, "Rosa", "sms", "+16125550121", "es"),
        "sofia": reachable(org, "Sofía", "email", "sofia@example.org", "es"),
        "lee": reachable(org, "Lee", "email", "lee@example.org"),
        "ed": reachable(org, "Ed", "sms", "+16125550125"),
        "tomas": reachable(other_org, "Tomás", "signal", "+16125550122", "es"),
        "pat": reachable(other_org, "Pat", "email", "pat@example.org"),
        "lena": reachable(org, "Lena", "email", "lena@example.org", roles=Role.LEGAL_OBSERVER),
    }
    for name in ("rosa", "sofia", "ed"):
        follow_site(people[name], org, site)
    follow_area(people["lee"], org, 44.9735, -93.2615, 500)
    follow_area(people["tomas"], other_org, 44.9730, -93.2630, 1000)
    follow_site(people["pat"], other_org, site)
    return people


def received(smtp_server, signal_server, sms_gateway):
    """Return {recipient: text} of every message the local servers received."""
    texts = {m["to"][0]: m["subject"] + "\n" + m["body"] for m in smtp_server.messages}
    texts.update({m["to"]: m["text"] for m in signal_server.messages + sms_gateway.messages})
    return texts


CONFIRM = {
    "seen": ["agents_on_foot", "unmarked_vehicles", "arrest"],
    "where": "",
    "since": "06:40",
    "until": "08:30",
    "ask": "stay_away",
    "radius_m": "1000",
}


def preview_then_send(client, org, incident, form, sent):
    """Press "See who it reaches", then "Send", as the page's form posts them."""
    preview = client.post(page(org, incident, "confirm"), form)
    assert preview.status_code == 200
    html = preview.content.decode()
    seen = {"seen_size": hidden(html, "seen_size"), "seen_preview": hidden(html, "seen_preview")}
    with sent():
        done = client.post(page(org, incident, "confirm"), {**form, **seen})
    assert done.status_code == 302
    return html


def test_a_spanish_reader_gets_every_fact_in_spanish_and_an_english_reader_in_english(
    dispatcher_client,
    org,
    incident,
    neighbours,
    smtp_server,
    signal_server,
    sms_gateway,
    sent,
    settings,
):
    # Longer texts than the default two segments, so the note is in the SMS too.
    settings.TOCSIN_SMS_MAX_SEGMENTS = 8
    form = {**CONFIRM, "note_es": SPANISH_NOTE, "note_en": ENGLISH_NOTE}
    preview_then_send(dispatcher_client, org, incident, form, sent)

    texts = received(smtp_server, signal_server, sms_gateway)
    for spanish in ("+16125550121", "sofia@example.org", "+16125550122"):  # SMS, email, Signal
        text = texts[spanish]
        assert "Agentes a pie, vehículos sin identificación, un arresto en curso" in text
        assert "Hennepin County Medical Center" in text
        for word in SPANISH_FACT_WORDS:
            assert word in text, (spanish, word)
        assert words_in(text, ENGLISH_FACT_WORDS) == [], spanish
        assert SPANISH_NOTE in text and ENGLISH_NOTE not in text
    for english in ("+16125550125", "lee@example.org", "pat@example.org", "lena@example.org"):
        text = texts[english]
        assert "Agents on foot, unmarked vehicles, an arrest in progress" in text
        assert "06:40" in text and "08:30" in text and "Stay away" in text
        assert words_in(text, SPANISH_FACT_WORDS) == [], english
        assert ENGLISH_NOTE in text and SPANISH_NOTE not in text
    assert "Desde: 06:40" in texts["sofia@example.org"]
    assert "Hasta: 08:30" in texts["sofia@example.org"]


def test_words_written_for_one_language_reach_only_its_readers(
    dispatcher_client,
    org,
    incident,
    neighbours,
    smtp_server,
    signal_server,
    sms_gateway,
    sent,
    settings,
):
    settings.TOCSIN_SMS_MAX_SEGMENTS = 8
    preview_then_send(dispatcher_client, org, incident, {**CONFIRM, "note_es": SPANISH_NOTE}, sent)

    texts = received(smtp_server, signal_server, sms_gateway)
    assert len(texts) == 7
    for to, text in texts.items():
        spanish = to in ("+16125550121", "sofia@example.org", "+16125550122")
        assert (SPANISH_NOTE in text) is spanish, to
    # The English readers got the facts and nothing else of the dispatcher's.
    lee = texts["lee@example.org"]
    assert "Agents on foot, unmarked vehicles, an arrest in progress" in lee
    assert "Entrada" not in lee and "calle" not in lee


def test_the_preview_counts_what_the_servers_then_receive(
    dispatcher_client,
    org,
    other_org,
    incident,
    neighbours,
    smtp_server,
    signal_server,
    sms_gateway,
    push_service,
    vapid,
    sent,
):
    # Pat also has a browser subscribed to web push: one person, two messages.
    add_contact(
        neighbours["pat"], "push", push_service.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"]), True
    )
    # Nina follows the site but has no confirmed contact: she is counted, and reached by nothing.
    nina = make_person(org, name="Nina", language="es")
    ContactPoint.objects.filter(person=nina).delete()
    follow_site(nina, org, incident.site)

    html = preview_then_send(
        dispatcher_client, org, incident, {**CONFIRM, "note_es": SPANISH_NOTE}, sent
    )

    channels = table(html, "channels")
    languages = table(html, "languages")
    organizations = table(html, "organizations")
    assert "This verified alert will reach 8 people." in html
    # What the servers received, by channel: one message per delivery.
    assert channels == {
        "email": len(smtp_server.messages),
        "signal": len(signal_server.messages),
        "sms": len(sms_gateway.messages),
        "push": len(push_service.messages),
        "unreachable": 1,
    }
    assert sum(v for k, v in channels.items() if k != "unreachable") == 8
    # By language: who received it in Spanish and in English (Nina, unreached, is Spanish).
    texts = received(smtp_server, signal_server, sms_gateway)
    in_spanish = [to for to, text in texts.items() if "VERIFICADO" in text]
    in_english = [to for to, text in texts.items() if "VERIFIED" in text]
    # Every language the server speaks is listed; here nobody reads Somali.
    assert {code: people for code, people in languages.items() if people} == {
        "en": len(in_english),
        "es": len(in_spanish) + 1,
    }
    assert [m["payload"]["title"] for m in push_service.messages] == [
        "VERIFIED: Agents on foot, unmarked vehicles, an arrest in progress — "
        "Hennepin County Medical Center"
    ]
    # By organization: the nurses' local (with Nina) and SEIU Local 26, which shares alerts.
    seiu = {"+16125550122", "pat@example.org"}
    assert organizations == {
        org.slug: len([to for to in texts if to not in seiu]) + 1,
        other_org.slug: len(seiu & set(texts)),
    }
    alert = Alert.objects.get(kind=Alert.Kind.VERIFIED)
    assert alert.audience_size == 8


def test_the_preview_shows_each_languages_message_before_anything_is_sent(
    dispatcher_client, org, incident, neighbours, smtp_server
):
    form = {**CONFIRM, "note_es": SPANISH_NOTE}
    html = dispatcher_client.post(page(org, incident, "confirm"), form).content.decode()

    spanish = re.search(r'data-language="es".*?</article>', html, re.S).group(0)
    english = re.search(r'data-language="en".*?</article>', html, re.S).group(0)
    assert 'data-form="short"' in spanish and 'data-form="long"' in spanish
    assert "VERIFICADO: Agentes a pie, vehículos sin identificación" in spanish
    assert SPANISH_NOTE in spanish
    assert "VERIFIED: Agents on foot, unmarked vehicles" in english
    assert SPANISH_NOTE not in english
    assert "these people get the facts only" in english
    assert smtp_server.messages == []
    assert not Alert.objects.filter(kind=Alert.Kind.VERIFIED).exists()


def test_the_preview_speaks_spanish_to_a_spanish_speaking_dispatcher(
    client, org, incident, neighbours
):
    from tests.conftest import verified_client

    dispatcher = make_person(
        org, Role.DISPATCHER, email="dd@mna.test", password="dispatch horse 42", language="es"
    )
    spanish_client = verified_client(client, dispatcher)
    spanish_client.cookies["tocsin_language"] = "es"
    html = spanish_client.post(page(org, incident, "confirm"), CONFIRM).content.decode()
    assert "Antes de enviar" in html and "Mensajes por canal" in html
    assert "Qué se vio" in html


def test_a_language_the_server_adds_gets_its_own_box_and_only_its_readers_get_its_words(
    dispatcher_client, org, site, incident, smtp_server, sent, settings
):
    settings.LANGUAGES = [*settings.LANGUAGES, ("so", "Somali")]
    amina = reachable(org, "Amina", "email", "amina@example.org")
    # Members choose among accounts' languages, which gain Somali with its catalogs.
    Person.objects.filter(pk=amina.pk).update(language="so")
    lee = reachable(org, "Lee", "email", "lee@example.org")
    for person in (amina, lee):
        follow_site(person, org, site)
    somali = "Ka fogaada albaabka gurmadka degdegga ah"

    page_html = dispatcher_client.get(page(org, incident)).content.decode()
    assert 'name="note_so"' in page_html
    html = preview_then_send(dispatcher_client, org, incident, {**CONFIRM, "note_so": somali}, sent)

    assert 'data-language="so"' in html and table(html, "languages") == {"en": 1, "es": 0, "so": 1}
    texts = {m["to"][0]: m["body"] for m in smtp_server.messages}
    assert somali in texts["amina@example.org"]
    assert somali not in texts["lee@example.org"]
