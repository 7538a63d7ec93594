"""Deployment checks on organizations (ids listed in tocsin/core/checks.py)."""

from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from tocsin.accounts.models import Organization
from tocsin.accounts.services.organizations import MIN_INBOUND_TOKEN_LENGTH
from tocsin.core.checks import database_ready
from tocsin.core.env import is_placeholder


@register(Tags.security, deploy=True)
def check_organizations(app_configs, **kwargs) -> list:
    """Name organizations whose reporting number lacks a proper token."""
    if not database_ready():
        return []
    try:
        organizations = list(Organization.objects.exclude(report_number="").order_by("slug"))
    except DatabaseError:
        return []
    found: list = []
    for organization in organizations:
        token = organization.sms_inbound_token
        if not token:
            found.append(
                Warning(
                    f"Organization {organization.slug} takes reports at a number but has no "
                    "SMS gateway token: texts to it are refused.",
                    hint="An admin of the organization saves the gateway's auth token in Settings.",
                    id="tocsin.W002",
                )
            )
        elif is_placeholder(token) or len(token) < MIN_INBOUND_TOKEN_LENGTH:
            found.append(
                Error(
                    f"Organization {organization.slug}'s SMS gateway token is a demo or "
                    "placeholder value: anyone could sign texts to its number.",
                    hint="An admin of the organization saves the gateway's own auth token.",
                    id="tocsin.E002",
                )
            )
    return found
