"""An organization's own rooms and topics hear of its alerts through Apprise: one summary
per alert and channel, never twice, with the channel's URL kept secret."""

import contextlib
import json
import logging

import pytest
from django.db import connection
from django.urls import reverse
from huey.exceptions import RetryTask

from tocsin.audit.models import AuditEntry
from tocsin.delivery import notices
from tocsin.delivery.models import Alert, NoticeChannel, NoticePost
from tocsin.delivery.services import create_alert, send_alert

SECRET = "stewards-secret-token-1234"


@pytest.fixture
def room(http_gateway, settings):
    """An ntfy server on 127.0.0.1, a network the operator lets notices reach (decision 0013):
    Apprise's ntfy:// URL posts the topic, title and message to it as JSON."""
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    http_gateway.answer = (200, b"{}")
    http_gateway.apprise_url = f"ntfy://{http_gateway.url.removeprefix('http://')}/{SECRET}"
    return http_gateway


@pytest.fixture
def channel(org, admin, room):
    return notices.add_notice_channel(
        admin, org, "Stewards' room", room.apprise_url, [Alert.Kind.NOTICE, Alert.Kind.VERIFIED]
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks, smtp_server):
    """Send an alert as a request would: its jobs start once the transaction commits."""

    def sending(alert):
        with django_capture_on_commit_callbacks(execute=True):
            return send_alert(alert)

    yield sending
    # Renders are cached by alert id, and ids start again in the next test's database.


def make_alert(org, kind=Alert.Kind.NOTICE, what="Union meeting moved to 6 pm"):
    return create_alert(org, kind, {"what": what, "where": "HCMC cafeteria"}, {"sites": []})


def posted(room):
    return [json.loads(request["body"]) for request in room.requests]


def raw_url(channel):
    with connection.cursor() as cursor:
        cursor.execute("SELECT url FROM delivery_noticechannel WHERE id = %s", [channel.pk])
        return cursor.fetchone()[0]


def test_it_posts_one_summary_of_a_notice_to_the_room(org, room, channel, send):
    send(make_alert(org))

    [notice] = posted(room)
    assert notice["topic"] == SECRET
    assert notice["title"].startswith("NOTICE: Union meeting moved to 6 pm")
    assert "HCMC cafeteria" in notice["message"]
    channel.refresh_from_db()
    assert channel.last_sent_at is not None and channel.last_error == ""
    assert NoticePost.objects.get().status == NoticePost.Status.SENT


def test_it_writes_the_summary_in_the_organizations_language(org, room, channel, send):
    org.default_language = "es"
    org.save()

    send(make_alert(org))

    assert posted(room)[0]["title"].startswith("AVISO")


def test_it_posts_nothing_for_a_kind_the_channel_does_not_want(org, room, channel, send):
    send(make_alert(org, kind=Alert.Kind.ALL_CLEAR))

    assert posted(room) == []
    assert not NoticePost.objects.exists()


def test_it_posts_nothing_to_an_inactive_channel(org, room, channel, send):
    NoticeChannel.objects.filter(pk=channel.pk).update(active=False)

    send(make_alert(org))

    assert posted(room) == []


def test_a_retry_or_a_second_send_posts_nothing_twice(org, room, channel, send):
    alert = send(make_alert(org))

    send(alert)
    notices.notify_channels.call_local(alert.pk)
    notices.notify_channels.call_local(alert.pk)

    assert len(posted(room)) == 1


def test_a_failed_post_is_recorded_without_the_url_and_a_retry_posts_it_once(
    org, room, channel, send, caplog
):
    room.answer = (500, b"{}")
    alert = make_alert(org)
    with caplog.at_level(logging.DEBUG, logger="tocsin"):
        send(alert)

    channel.refresh_from_db()
    assert channel.last_error and SECRET not in channel.last_error
    assert channel.last_sent_at is None
    assert [r.getMessage() for r in caplog.records if r.name == "tocsin.delivery.notices"]
    assert all(SECRET not in r.getMessage() for r in caplog.records if r.name.startswith("tocsin"))
    assert NoticePost.objects.get().status == NoticePost.Status.FAILED

    room.answer = (200, b"{}")
    assert notices.notify_channels.call_local(alert.pk) == 1
    assert notices.notify_channels.call_local(alert.pk) == 0

    assert len(posted(room)) == 2  # the refused one, then the one that went
    channel.refresh_from_db()
    assert channel.last_error == "" and channel.last_sent_at is not None


def test_it_stops_retrying_after_a_few_attempts(org, room, channel):
    room.answer = (500, b"{}")
    alert = make_alert(org)
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENDING)

    for _attempt in range(notices.MAX_ATTEMPTS + 2):
        # Each failure raises RetryTask, which the queue turns into a later retry.
        with contextlib.suppress(RetryTask):
            notices.notify_channels.call_local(alert.pk)

    assert len(posted(room)) == notices.MAX_ATTEMPTS


def test_it_stores_the_url_encrypted_and_shows_only_its_scheme(admin_client, org, channel):
    assert SECRET not in raw_url(channel)
    assert NoticeChannel.objects.get().url == channel.url

    page = admin_client.get(reverse("delivery:notice_channels", kwargs={"org": org.slug}))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Stewards&#x27; room" in content
    assert "ntfy://…" in content
    assert SECRET not in content and "127.0.0.1" not in content


def test_an_admin_adds_a_channel_with_the_kinds_it_gets(admin_client, org, room):
    response = admin_client.post(
        reverse("delivery:notice_channels", kwargs={"org": org.slug}),
        {"name": "ntfy stewards", "url": room.apprise_url, "kinds": ["verified", "all_clear"]},
    )

    assert response.status_code == 302
    channel = NoticeChannel.objects.get()
    assert (channel.organization, channel.kinds) == (org, ["verified", "all_clear"])
    [entry] = AuditEntry.objects.filter(action="delivery.notice_channel.added")
    assert SECRET not in json.dumps(entry.detail)


@pytest.mark.parametrize(
    "url", ["", "notaurl://example.org/x", "https:/broken", "ntfy", "dbus://", "x" * 3000]
)
def test_it_refuses_a_url_apprise_does_not_know_naming_url(admin_client, org, url):
    response = admin_client.post(
        reverse("delivery:notice_channels", kwargs={"org": org.slug}),
        {"name": "Room", "url": url, "kinds": ["notice"]},
    )

    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    assert not NoticeChannel.objects.exists()


def test_the_service_refuses_a_malformed_url_naming_url(org, admin):
    with pytest.raises(notices.ValidationError) as refused:
        notices.add_notice_channel(admin, org, "Room", "json:/nowhere", ["notice"])

    assert list(refused.value.message_dict) == ["url"]


def test_an_admin_sends_a_test_notice(
    admin_client, org, room, channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(
                "delivery:notice_channel_test",
                kwargs={"org": org.slug, "notice_channel": channel.code},
            )
        )

    assert response.status_code == 302
    [notice] = posted(room)
    assert notice["title"] == "Tocsin test notice"
    assert org.name in notice["message"]
    channel.refresh_from_db()
    assert channel.last_sent_at is not None


def test_an_admin_removes_a_channel(admin_client, org, channel):
    response = admin_client.post(
        reverse(
            "delivery:notice_channel_remove",
            kwargs={"org": org.slug, "notice_channel": channel.code},
        )
    )

    assert response.status_code == 302
    assert not NoticeChannel.objects.exists()
    assert AuditEntry.objects.filter(action="delivery.notice_channel.removed").exists()


def test_an_admin_of_another_organization_gets_404(outsider_client, org, room, channel):
    urls = [
        reverse("delivery:notice_channels", kwargs={"org": org.slug}),
        reverse(
            "delivery:notice_channel_test",
            kwargs={"org": org.slug, "notice_channel": channel.code},
        ),
        reverse(
            "delivery:notice_channel_remove",
            kwargs={"org": org.slug, "notice_channel": channel.code},
        ),
    ]

    for url in urls:
        assert outsider_client.get(url).status_code == 404
        assert outsider_client.post(url).status_code == 404
    assert NoticeChannel.objects.filter(pk=channel.pk).exists()
    assert posted(room) == []


def test_an_admin_cannot_reach_another_organizations_channel_from_their_own(
    outsider_client, other_org, channel
):
    url = reverse(
        "delivery:notice_channel_remove",
        kwargs={"org": other_org.slug, "notice_channel": channel.code},
    )

    assert outsider_client.post(url).status_code == 404
    assert NoticeChannel.objects.filter(pk=channel.pk).exists()
