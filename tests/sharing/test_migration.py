"""Upgrading a server with sharing agreements in it: an active agreement is in force from
when it was made, keeping an end still to come as its planned end; one made inactive, or
whose end has passed, is ended and shares nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tocsin.accounts import sharing
from tocsin.accounts.models import Organization

BEFORE = [("accounts", "0009_sharing_what")]
AFTER = [("accounts", "0010_sharing_offers")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_active_agreements_are_in_force_and_the_others_ended():
    try:
        old = migrate(BEFORE)
        organizations = old.get_model("accounts", "Organization")
        agreements = old.get_model("accounts", "SharingAgreement")
        mna, seiu, unite, atu = (
            organizations.objects.create(slug=slug, name=slug, kind="local")
            for slug in ("mna", "seiu-26", "unite-here-17", "atu-1005")
        )
        now = timezone.now()
        made = now - timedelta(days=30)
        agreements.objects.create(organization=mna, partner=seiu, alerts=True, created_at=made)
        agreements.objects.create(
            organization=mna,
            partner=unite,
            alerts=True,
            dispatch=True,
            created_at=made,
            ended_at=now + timedelta(days=5),
        )
        agreements.objects.create(organization=mna, partner=atu, alerts=True, active=False)
        agreements.objects.create(
            organization=seiu, partner=atu, alerts=True, ended_at=now - timedelta(days=1)
        )

        migrate(AFTER)

        nurses = Organization.objects.get(slug="mna")
        receivers = Organization.objects.filter(pk__in=sharing.receivers_from(nurses, "alerts"))
        assert set(receivers.values_list("slug", flat=True)) == {"seiu-26", "unite-here-17"}
        with_unite = sharing.given_by(nurses, "dispatch").get()
        assert with_unite.ends_at is not None and with_unite.ends_at > now
        assert with_unite.starts_at == made and with_unite.code
        seiu_now = Organization.objects.get(slug="seiu-26")
        assert sharing.receivers_from(seiu_now, "alerts") == []
    finally:
        migrate(AFTER)
