"""A database or queue that is down answers 503 with Retry-After, never a 500: JSON in the
API's error shape under /api/, a small page in the person's language elsewhere."""

import json

import redis
from django.db import OperationalError
from django.test import RequestFactory

from tocsin.core.outage import RETRY_AFTER_SECONDS, OutageMiddleware, server_error


def answer_to(path: str, error: Exception, language: str = "en"):
    request = RequestFactory().post(path)
    request.LANGUAGE_CODE = language
    return OutageMiddleware(lambda request: None).process_exception(request, error)


def test_it_answers_the_api_with_json_503_and_retry_after_when_the_database_is_down():
    response = answer_to("/api/v1/reports", OperationalError("connection refused"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert "Nothing was received" in json.loads(response.content)["detail"]


def test_it_tells_a_reporter_in_spanish_that_the_report_was_not_received():
    response = answer_to("/report/o/mna/", redis.exceptions.ConnectionError(), "es")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "NO se recibió" in page and "línea de ayuda" in page


def test_it_leaves_any_other_error_to_django():
    assert answer_to("/report/o/mna/", ValueError("a bug")) is None


def test_an_outage_met_in_a_middleware_is_a_503_too_and_a_bug_still_a_500():
    request = RequestFactory().get("/staff/")
    try:
        raise OperationalError("the server closed the connection")
    except OperationalError:
        outage = server_error(request)
    try:
        raise KeyError("a bug")
    except KeyError:
        bug = server_error(request)

    assert outage.status_code == 503 and outage["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert bug.status_code == 500


def test_a_pooled_postgresql_connection_is_checked_before_use_and_gives_up_quickly():
    from tocsin.settings import database_from_url

    config = database_from_url("postgres://tocsin@127.0.0.1:5432/tocsin")

    # Django's pool hands out only connections that pass its check (decision 0024).
    assert config["CONN_MAX_AGE"] == 0 and config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["pool"]["max_size"] >= 1
    assert config["OPTIONS"]["connect_timeout"] == 5
