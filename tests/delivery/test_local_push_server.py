import json
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt
from pywebpush import WebPusher

from tocsin.core.keys import b64url_decode
from tocsin.delivery.local_servers.push import LocalPushService
from tocsin.delivery.vapid import public_key_of


@pytest.fixture
def service(tmp_path):
    service = LocalPushService(jsonl_path=tmp_path / "push.jsonl").start()
    yield service
    service.stop()


@pytest.fixture
def key():
    return ec.generate_private_key(ec.SECP256R1())


def authorization(key, claims, public_key=None):
    token = jwt.sign(claims, key)
    return f"vapid t={token}, k={public_key or public_key_of(key)}"


def claims_for(service, **changes):
    claims = {"aud": service.url, "exp": int(time.time()) + 3600, "sub": "mailto:a@mna.test"}
    return {name: value for name, value in (claims | changes).items() if value is not None}


def push(service, subscription, key, claims=None, payload=None, **headers):
    """POST an encrypted push to the subscription the way pywebpush does."""
    data = json.dumps(payload or {"title": "t", "body": "b", "url": "u"}).encode()
    request_headers = {"Authorization": authorization(key, claims or claims_for(service))}
    request_headers |= headers
    return WebPusher(json.loads(subscription)).send(
        data=data, headers=request_headers, ttl=60, timeout=5
    )


def test_it_decrypts_a_push_to_the_json_that_was_sent(service, key):
    subscription = service.subscribe(public_key_of(key))
    payload = {"title": "ICE", "body": "Agentes en la entrada", "url": "https://t.test/a"}

    response = push(service, subscription, key, payload=payload)

    assert response.status_code == 201
    [received] = service.wait_for(1)
    assert received["payload"] == payload
    assert received["endpoint_id"] == service.endpoint_id(subscription)
    assert received["ttl"] == 60


def test_it_writes_what_it_receives_to_jsonl(service, key, tmp_path):
    subscription = service.subscribe()

    push(service, subscription, key)

    [line] = (tmp_path / "push.jsonl").read_text().splitlines()
    assert json.loads(line)["payload"]["title"] == "t"


def test_it_issues_subscriptions_a_browser_would(service):
    subscription = json.loads(service.subscribe())

    assert subscription["endpoint"].startswith(service.url + "/push/")
    assert len(b64url_decode(subscription["keys"]["p256dh"])) == 65
    assert len(b64url_decode(subscription["keys"]["auth"])) == 16


def test_it_refuses_a_push_signed_with_another_key_than_the_subscriptions(service, key):
    subscription = service.subscribe(public_key_of(key))
    other = ec.generate_private_key(ec.SECP256R1())

    response = push(service, subscription, other)

    assert response.status_code == 403
    assert "another key" in response.json()["reason"]
    assert service.messages == []


def test_it_refuses_a_token_whose_signature_does_not_match_its_key(service, key):
    subscription = service.subscribe()
    other = ec.generate_private_key(ec.SECP256R1())
    forged = authorization(other, claims_for(service), public_key=public_key_of(key))

    response = push(service, subscription, key, Authorization=forged)

    assert response.status_code == 401
    assert "signature" in response.json()["reason"]


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"aud": "https://push.example.org"}, "aud"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": int(time.time()) + 2 * 24 * 3600}, "24 hours"),
        ({"sub": None}, "sub"),
    ],
)
def test_it_refuses_a_token_with_wrong_claims(service, key, changes, reason):
    subscription = service.subscribe()

    response = push(service, subscription, key, claims=claims_for(service, **changes))

    assert response.status_code == 401
    assert reason in response.json()["reason"]


def test_it_refuses_a_push_without_vapid(service, key):
    subscription = service.subscribe()
    data = WebPusher(json.loads(subscription)).encode(b"{}")["body"]

    response = requests.post(
        json.loads(subscription)["endpoint"],
        data=data,
        headers={"Content-Encoding": "aes128gcm", "TTL": "60"},
        timeout=5,
    )

    assert response.status_code == 401


def test_it_refuses_the_old_aesgcm_encoding(service, key):
    subscription = service.subscribe()
    pusher = WebPusher(json.loads(subscription))
    headers = {"Authorization": authorization(key, claims_for(service))}

    response = pusher.send(data=b"{}", headers=headers, ttl=60, content_encoding="aesgcm")

    assert response.status_code == 415


def test_it_answers_404_to_an_unknown_subscription_and_410_to_an_expired_one(service, key):
    subscription = service.subscribe()
    unknown = json.loads(subscription)
    unknown["endpoint"] = service.url + "/push/nobody"

    assert push(service, json.dumps(unknown), key).status_code == 404
    service.expire(subscription)
    assert push(service, subscription, key).status_code == 410
    assert push(service, subscription, key).status_code == 410


def test_it_answers_429_with_retry_after_as_many_times_as_asked(service, key):
    subscription = service.subscribe()
    service.rate_limit(2, retry_after=3)

    first, second, third = (push(service, subscription, key) for _ in range(3))

    assert [first.status_code, second.status_code] == [429, 429]
    assert first.headers["Retry-After"] == "3"
    assert third.status_code == 201


def test_it_goes_down_and_comes_back_on_the_same_port(service, key):
    subscription = service.subscribe()
    session = requests.Session()
    pusher = WebPusher(json.loads(subscription), requests_session=session)
    headers = {"Authorization": authorization(key, claims_for(service))}
    assert pusher.send(data=b"{}", headers=headers, ttl=60, timeout=5).status_code == 201

    service.down()
    with pytest.raises(requests.ConnectionError):
        pusher.send(data=b"{}", headers=headers, ttl=60, timeout=5)

    service.up()
    assert pusher.send(data=b"{}", headers=headers, ttl=60, timeout=5).status_code == 201
    assert len(service.wait_for(2)) == 2


def test_it_keeps_its_subscriptions_across_a_restart_when_asked(tmp_path, key):
    state = tmp_path / "subscriptions.json"
    first = LocalPushService(state_path=state).start()
    subscription = first.subscribe(public_key_of(key))
    first.stop()

    again = LocalPushService(port=first.port, state_path=state).start()
    try:
        response = push(again, subscription, key, payload={"title": "still here"})
    finally:
        again.stop()

    assert response.status_code == 201
    assert again.messages[0]["payload"] == {"title": "still here"}
