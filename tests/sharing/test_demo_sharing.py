"""The demo's sharing is made as admins make it: the nurses' alerts offered to the two HCMC
locals and accepted, and the Regional Labor Federation's one offer accepted by its four
unions; the admin sees it on the sharing screens, and loading again adds nothing."""

import pytest

from tocsin.accounts import sharing
from tocsin.accounts.models import Organization, SharingAgreement
from tocsin.accounts.services.people import find_person_by_login
from tocsin.demo import world
from tocsin.demo.accounts import DEMO_ACCOUNTS
from tocsin.demo.services import load_demo

from .world import sharing_page, signed_in

pytestmark = pytest.mark.django_db
FOUR = {world.SEIU_26, world.UNITE_HERE_17, world.ATU_1005, world.CWA_7250}


def slugs(ids):
    return set(Organization.objects.filter(pk__in=ids).values_list("slug", flat=True))


def test_the_demo_shares_as_its_admins_agreed():
    load_demo()
    made = SharingAgreement.objects.count()
    load_demo()
    assert SharingAgreement.objects.count() == made

    mna = Organization.objects.get(slug=world.MNA)
    assert slugs(sharing.receivers_from(mna, "alerts")) == {world.SEIU_26, world.UNITE_HERE_17}
    mrlf = Organization.objects.get(slug=world.MRLF)
    assert slugs(sharing.receivers_from(mrlf, "alerts")) == FOUR
    assert slugs(sharing.givers_to(mrlf, "alerts")) == FOUR
    atu = Organization.objects.get(slug=world.ATU_1005)
    assert slugs(sharing.givers_to(atu, "alerts")) == FOUR - {world.ATU_1005} | {world.MRLF}
    assert not SharingAgreement.objects.exclude(state=SharingAgreement.State.IN_FORCE).exists()

    admin = next(account for account in DEMO_ACCOUNTS if account.email.startswith("admin@"))
    page = signed_in(find_person_by_login(admin.email)).get(sharing_page(mrlf))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Offers to your member organizations" in html
    assert html.count(": in force</li>") == 4
