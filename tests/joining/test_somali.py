"""Hodan speaks Somali: she picks Soomaali on the join page of her phone, joins, reads her
member pages and reports what she sees in Somali, and the verified alert she gets by email
is in Somali too. No English sentence of the catalogs reaches her."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

import tocsin
from tests.conftest import make_person
from tests.translations import MEMBER_APPS, entries
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.response.models import Incident
from tocsin.response.services import broadcast

from .conftest import code_in


def english_sentences() -> list[str]:
    """Return the catalogs' English sentences a member could meet: several words, no
    placeholder, and not written the same in Somali."""
    sentences = set()
    for app in MEMBER_APPS:
        catalog = Path(tocsin.__file__).parent / app / "locale" / "so" / "LC_MESSAGES" / "django.po"
        for msgid, _plural, msgstrs in entries(catalog):
            if "%" in msgid or "<" in msgid or len(msgid.split()) < 4:
                continue
            if msgid not in msgstrs:
                sentences.add(msgid)
    return sorted(sentences)


def english_in(text: str, sentences: list[str]) -> list[str]:
    return [sentence for sentence in sentences if sentence in text]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_somali_speaker_joins_reads_and_is_alerted_in_somali(
    phone, live_server, org, site, smtp_server, settings
):
    settings.TOCSIN_MAP_TILES_URL = ""
    english = english_sentences()
    assert "Seen immigration agents? Report it:" in english  # the list is not empty by mistake

    phone.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Get alerts for Hennepin County Medical Center"
    )
    phone.get_by_role("button", name="Soomaali").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Hel digniinaha Hennepin County Medical Center"
    )
    assert english_in(phone.locator("body").inner_text(), english) == []
    phone.get_by_label("Soomaali", exact=True).check()
    phone.get_by_label("Magac ama naanays").fill("Hodan")
    phone.get_by_label("Iimayl").fill("hodan@example.org")
    phone.get_by_label("Waan oggolahay in Tocsin").check()
    phone.get_by_role("button", name="Ku biir").click()

    phone.get_by_role("heading", name="Eeg fariimahaaga").wait_for()
    [code] = smtp_server.wait_for(1)
    assert code["subject"].startswith("Koodhkaaga Tocsin")
    assert english_in(code["subject"] + "\n" + code["body"], english) == []
    phone.get_by_label("Koodhka xaqiijinta").fill(code_in(code))
    phone.get_by_role("button", name="Xaqiiji").click()
    phone.get_by_role("heading", name="Xiriirkaaga waa la xaqiijiyay").wait_for()
    assert Person.objects.get(display_name="Hodan").language == "so"

    for page, heading in (
        ("joining:me", "Digniinahayga"),
        ("joining:contacts", "Xiriiradayda"),
        ("joining:subscriptions", "Waxa aan la socdo"),
    ):
        phone.goto(live_server.url + reverse(page))
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        assert english_in(phone.locator("body").inner_text(), english) == [], page

    phone.get_by_role("link", name="Soo sheeg waxa aan arko").first.click()
    phone.get_by_label("Maxaad aragtaa?").fill("Saraakiil ICE ah oo ag taagan albaabka")
    assert english_in(phone.locator("body").inner_text(), english) == []
    phone.get_by_role("button", name="Dir warbixinta").click()
    phone.get_by_role("heading", name="Mahadsanid: warbixintaada waa la helay").wait_for()

    dispatcher = make_person(org, Role.DISPATCHER, name="Dana Dispatch")
    facts = broadcast.AlertFacts(
        seen=["agents_on_foot"], notes={"en": "ICE agents at the ambulance bay"}
    )
    broadcast.confirm_incident(dispatcher, Incident.objects.get(), facts, 1000)
    [alert] = [m for m in smtp_server.wait_for(2) if m is not code]
    text = alert["subject"] + "\n" + alert["body"]
    assert "LA XAQIIJIYAY" in text
    assert "Ka fogow aagga oo u digo asxaabtaada shaqada." in text
    assert "Ogow xuquuqdaada:" in text
    assert "Saraakiil lug ku socda" in text  # agents on foot, a fact said in Somali
    assert "ambulance bay" not in text  # the English words reach English readers only
    assert english_in(text, english) == []
    assert not re.search(r"\b(VERIFIED|Where:|Know your rights)\b", text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_language_picker_lists_soomaali(phone, live_server, site):
    phone.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))

    expect(phone.get_by_role("button", name="Soomaali")).to_be_visible()
    expect(phone.get_by_role("button", name="Español")).to_be_visible()
    expect(phone.get_by_label("Soomaali", exact=True)).to_be_visible()  # the alerts' language
