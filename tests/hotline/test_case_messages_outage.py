"""A case's messages to the family and the lawyer go out once, whatever the queue lost:
the queue is down when the hotline opens the case, and a worker started afterwards sends
each message exactly once with nobody pressing anything again."""

import time

import pytest

from tests.faults.sending import SweepClock, queue_at
from tests.faults.servers import database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until
from tocsin.hotline.models import Case
from tocsin.hotline.services.cases import CaseInput, open_case
from tocsin.hotline.tasks import resume_case_messages

from .conftest import LAWYER_EMAIL, SISTER_PHONE


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_messages_of_a_case_opened_while_the_queue_is_down_go_out_once_it_is_back(
    plan,
    org,
    hotline,
    sms_gateway,
    smtp_server,
    redis_server,
    tmp_path,
):
    redis_server.kill()
    with queue_at(redis_server.url):
        case = open_case(
            hotline, org, CaseInput(name="Miguel Rivera"), Case.OpenedVia.CALL, plan=plan
        )
    assert case.messages.filter(status="queued").count() == 2  # stored, not yet sent

    redis_server.start()  # empty: the jobs enqueued at the opening are gone
    servers = {"email": smtp_server, "sms": sms_gateway}
    env = tocsin_env(tmp_path, servers, database_url(), redis_server.url)
    worker = start_tocsin(env, "worker", "--workers", "1", log=tmp_path / "worker.log")
    try:
        with SweepClock(redis_server.url, every=1.0, job=resume_case_messages):
            wait_until(
                lambda: sms_gateway.messages and smtp_server.messages, 30, what="both messages"
            )
            time.sleep(3)  # a second copy, if any, would arrive now
    finally:
        stop_tocsin(worker)

    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]
    assert [to for m in smtp_server.messages for to in m["to"]] == [LAWYER_EMAIL]
    assert case.messages.exclude(status="sent").count() == 0
