"""`tocsin worker`: the Huey consumer on the configured queue."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_it_refuses_to_run_when_jobs_run_in_process():
    # The test settings run jobs immediately, inside the caller, as TOCSIN_QUEUE_IMMEDIATE does.
    with pytest.raises(CommandError, match="TOCSIN_QUEUE_IMMEDIATE"):
        call_command("worker")
