"""Fixtures of the delivery tests."""

import pytest


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send an alert as a request would: its jobs start once the transaction commits."""
    from tocsin.delivery.services import send_alert

    def sending(alert):
        with django_capture_on_commit_callbacks(execute=True):
            return send_alert(alert)

    return sending
