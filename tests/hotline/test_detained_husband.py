"""A member's husband is taken outside the hospital, end to end in real browsers.

Rosa, a nurse at Hennepin County Medical Center, writes her emergency plan in Spanish from
her phone: if she or her husband Miguel are taken, tell Miguel's sister Lucía by text and
the union's lawyer by email, and who picks up the children. One morning Miguel is detained
outside the hospital while a report of agents there is open. A coworker calls the hotline;
the volunteer opens the case from the incident, for someone Rosa's plan covers. Lucía and
the lawyer get the message Rosa prepared for the day Miguel is taken (not the one for the
day she is), each in their language; the hotline is told. The case moves to located,
counsel assigned, hearing scheduled and released; released, it still takes his next
hearing, until the volunteer closes it. The organization's admin, filtering the audit log
by the case's code, finds every read of the case and of the plan.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser, wait_until
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.hotline.models import Case, CaseMessage
from tocsin.joining.links import member_link_url
from tocsin.response.models import Incident

SISTER = "+16125550142"
LAWYER = "abogada@mna-legal.test"
HERS = "Estoy detenida. Recoge a Sofía y a Mateo en la escuela a las 3."
MESSAGE = "Mi esposo Miguel fue detenido. Recoge a Sofía y a Mateo en la escuela a las 3."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_husband_detained_outside_the_hospital(
    desk, phone_in, live_server, org, site, smtp_server, sms_gateway, settings
):
    settings.TOCSIN_BASE_URL = live_server.url
    rosa = make_person(org, Role.MEMBER, name="Rosa Rivera", language="es", site=site)
    rosa_email = add_contact(rosa, "email", "rosa@example.org", True)
    volunteer = make_person(
        org, Role.HOTLINE, email="hana@mna.test", password="hotline horse 42", name="Hana"
    )
    admin = make_person(
        org, Role.ADMIN, email="ada@mna.test", password="admin horse 42", name="Ada Admin"
    )

    # Rosa writes her plan in Spanish, from the link in her email.
    phone = phone_in("es")
    phone.goto(member_link_url(rosa_email).replace(settings.TOCSIN_BASE_URL, live_server.url))
    phone.goto(f"{live_server.url}/me/plan/")
    contact = phone.locator("fieldset.person-row").nth(0)
    contact.get_by_label("Nombre").fill("Lucía Rivera")
    contact.get_by_label("Quién es para ti").select_option("relative")
    contact.get_by_label("Cómo contactarle").select_option("sms")
    contact.get_by_label("Su teléfono o correo electrónico").fill("612 555 0142")
    contact.get_by_label("Su idioma").select_option("es")
    lawyer = phone.locator("fieldset.person-row").nth(3)
    lawyer.get_by_label("Tu abogado, abogada u organización legal").fill("Ana Abogada")
    lawyer.get_by_label("Cómo contactarle").select_option("email")
    lawyer.get_by_label("Su teléfono o correo electrónico").fill(LAWYER)
    lawyer.get_by_label("Su idioma").select_option("en")
    phone.get_by_label("Tu mensaje para ellos").fill(HERS)
    phone.get_by_label("Tu mensaje si se llevan a alguien que cubre este plan").fill(MESSAGE)
    phone.get_by_label("Quién puede recoger a los niños").fill("Lucía o la abuela Carmen")
    phone.get_by_label("Otras personas a las que cubre este plan").fill("Miguel Rivera, mi esposo")
    phone.get_by_label("PIN para activar el plan").fill("4826")
    phone.get_by_role("button", name="Guardar mi plan").click()
    expect(phone.get_by_text("Tu plan de emergencia está guardado.")).to_be_visible()
    expect(phone.get_by_role("link", name="Me están deteniendo")).to_be_visible()

    # Agents are reported outside the hospital, and the dispatchers confirm it; Miguel is
    # taken there.
    incident = Incident.objects.create(
        organization=org,
        site=site,
        lat=site.lat,
        lng=site.lng,
        where=site.name,
        state=Incident.State.CONFIRMED,
    )

    # A coworker calls the hotline. The volunteer opens the case from the incident.
    hotline = desk
    sign_in_browser(hotline, live_server, volunteer)
    hotline.goto(f"{live_server.url}/staff/o/{org.slug}/cases/")
    hotline.get_by_role("link", name="Open a case").click()
    hotline.get_by_label("someone a member's plan covers (their family)").check()
    hotline.get_by_label("The member (their phone, email or name as we have it)").fill(
        "Rosa Rivera"
    )
    hotline.get_by_label("Name or alias of the person taken").fill("Miguel Rivera")
    hotline.get_by_label("The incident it happened at").select_option(str(incident.public_id))
    hotline.get_by_label("By which agency").select_option("ice")
    hotline.get_by_role("button", name="Open the case").click()
    expect(hotline.get_by_text(re.compile(r"Case \w+ is open"))).to_be_visible()
    case = Case.objects.get()
    assert (case.plan.person, case.incident, case.name) == (rosa, incident, "Miguel Rivera")

    # His sister gets Rosa's message in Spanish by text; the lawyer in English by email.
    wait_until(lambda: CaseMessage.objects.filter(status="sent").count() == 2)
    to_sister = [m["text"] for m in sms_gateway.messages if m["to"] == SISTER]
    assert len(to_sister) == 1
    assert "Miguel Rivera fue detenido. Rosa Rivera nos pidió que te avisáramos." in to_sister[0]
    assert MESSAGE in to_sister[0] and case.code in to_sister[0]
    assert HERS not in to_sister[0]
    to_lawyer = [m for m in smtp_server.messages if m["to"] == [LAWYER]]
    assert to_lawyer[0]["subject"] == "Miguel Rivera has been detained"
    assert "You are named as their lawyer" in to_lawyer[0]["body"]
    assert MESSAGE in to_lawyer[0]["body"].replace("\r\n", "\n")
    # The hotline is told too, without a name.
    to_hotline = [m for m in smtp_server.messages if m["to"] == ["hana@mna.test"]]
    assert case.code in to_hotline[0]["subject"] and "Miguel" not in to_hotline[0]["body"]

    # The volunteer sees the plan on the case, and the messages it sent.
    expect(hotline.get_by_text("Lucía o la abuela Carmen")).to_be_visible()
    expect(hotline.get_by_test_id("case-message")).to_have_count(2)

    # The case moves on to release, a turn in it, not its end.
    for button, label in (
        ("Located", "located"),
        ("Counsel assigned", "counsel assigned"),
        ("Hearing scheduled", "hearing scheduled"),
        ("Released", "released"),
    ):
        hotline.get_by_role("button", name=button, exact=True).click()
        expect(hotline.get_by_test_id("case-state")).to_have_text(label)
    case.refresh_from_db()
    assert case.state == "released" and case.ended_at is None
    # Released on bond, his hearing is still to come: the volunteer logs it.
    hotline.get_by_label("What", exact=True).select_option("hearing")
    hotline.get_by_label("Note", exact=True).fill("Audiencia de fianza, Fort Snelling")
    hotline.get_by_role("button", name="Add to the timeline").click()
    expect(hotline.get_by_text("Audiencia de fianza, Fort Snelling")).to_be_visible()
    # The work done, the volunteer closes the case, after confirming; the plan is sealed.
    hotline.get_by_role("link", name="Close the case…").click()
    hotline.get_by_label("The work on this case is done").check()
    hotline.get_by_role("button", name="Close the case").click()
    expect(hotline.get_by_test_id("case-closed")).to_have_text("closed")
    expect(hotline.get_by_text("Lucía o la abuela Carmen")).to_have_count(0)
    case.refresh_from_db()
    assert case.state == "released" and case.ended_at is not None

    # The admin filters the audit log by the case's code and finds each read of the case
    # and of the plan.
    hotline.context.clear_cookies()
    sign_in_browser(hotline, live_server, admin)
    hotline.goto(f"{live_server.url}/staff/o/{org.slug}/audit/")
    hotline.get_by_label("Object ID").fill(case.code)
    hotline.get_by_role("button", name="Filter").click()
    rows = hotline.locator("tbody tr")
    expect(rows.filter(has_text="read a case").first).to_be_visible()
    reads = rows.filter(has_text="read a case").filter(has_text="Hana").count()
    plan_reads = rows.filter(has_text="read an emergency plan").filter(has_text="Hana").count()
    # One showing of the case page after it opened, after each of four moves, after the
    # hearing, and after the close.
    assert reads == 7
    assert plan_reads == 6  # the last showing, after the close, no longer reads the plan
    expect(rows.filter(has_text="opened a case")).to_have_count(1)
    expect(rows.filter(has_text="closed a case")).to_have_count(1)
