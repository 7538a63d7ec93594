"""An organization's admin sets the number members text or write to on Signal to report."""

import pytest

SETTINGS = {
    "name": "Minnesota Nurses Association",
    "default_language": "en",
    "retention_days": "30",
}
TOKEN = "gateway-auth-token-of-the-mna"


def settings_url(org):
    return f"/staff/o/{org.slug}/settings/"


def test_it_shows_the_reporting_number_on_the_settings_screen(admin_client, org):
    org.report_number = "+16125550100"
    org.save(update_fields=["report_number"])

    page = admin_client.get(settings_url(org)).content.decode()

    assert "Reporting number" in page and 'value="+16125550100"' in page


def test_it_saves_the_number_in_international_form(admin_client, org):
    response = admin_client.post(
        settings_url(org),
        {**SETTINGS, "report_number": "(612) 555-0100", "sms_inbound_token": TOKEN},
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.report_number, org.sms_inbound_token) == ("+16125550100", TOKEN)


def test_it_takes_an_empty_number_to_stop_reports_by_message(admin_client, org):
    org.report_number = "+16125550100"
    org.sms_inbound_token = TOKEN
    org.save(update_fields=["report_number", "sms_inbound_token"])

    response = admin_client.post(settings_url(org), {**SETTINGS, "report_number": ""})

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.report_number, org.sms_inbound_token) == ("", "")


@pytest.mark.parametrize("number", ["call us", "12"])
def test_it_refuses_what_is_not_a_phone_number_naming_the_field(admin_client, org, number):
    response = admin_client.post(settings_url(org), {**SETTINGS, "report_number": number})

    assert response.status_code == 400
    assert "Reporting number:" in response.content.decode()
    org.refresh_from_db()
    assert org.report_number == ""


def test_two_organizations_cannot_share_a_number(admin_client, org, other_org):
    other_org.report_number = "+16125550100"
    other_org.save(update_fields=["report_number"])

    response = admin_client.post(
        settings_url(org),
        {**SETTINGS, "report_number": "+1 612 555 0100", "sms_inbound_token": TOKEN},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Reporting number:" in page and "Another organization already takes reports" in page
    assert "SEIU" not in page
    org.refresh_from_db()
    assert org.report_number == ""


def test_it_keeps_its_own_number_and_token_when_saving_other_settings(admin_client, org):
    org.report_number = "+16125550100"
    org.sms_inbound_token = TOKEN
    org.save(update_fields=["report_number", "sms_inbound_token"])

    response = admin_client.post(
        settings_url(org), {**SETTINGS, "retention_days": "14", "report_number": "+16125550100"}
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.retention_days, org.report_number) == (14, "+16125550100")
    assert org.sms_inbound_token == TOKEN


def test_it_never_shows_the_saved_token_again(admin_client, org):
    org.report_number = "+16125550100"
    org.sms_inbound_token = TOKEN
    org.save(update_fields=["report_number", "sms_inbound_token"])

    page = admin_client.get(settings_url(org)).content.decode()

    assert "SMS gateway token" in page and "A token is saved." in page
    assert TOKEN not in page


@pytest.mark.parametrize("token", ["demo-token", "short", "PASSWORD", "has a space in it ok"])
def test_it_refuses_a_demo_or_weak_token_naming_the_field(admin_client, org, token):
    response = admin_client.post(
        settings_url(org),
        {**SETTINGS, "report_number": "+16125550100", "sms_inbound_token": token},
    )

    assert response.status_code == 400
    assert "SMS gateway token:" in response.content.decode()
    org.refresh_from_db()
    assert (org.report_number, org.sms_inbound_token) == ("", "")


def test_a_spanish_speaking_admin_reads_the_token_field_and_its_refusal_in_spanish(
    admin_client, org, admin
):
    admin.language = "es"
    admin.save(update_fields=["language"])

    response = admin_client.post(settings_url(org), {**SETTINGS, "report_number": "+16125550100"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Token de la pasarela de SMS" in page
    assert "necesita el token de su pasarela de SMS" in page
