"""A hostile admin aims an organization's notice channel inward (issue 13, item 5).

Notice channels post through Apprise to a URL the admin types. The admin tries to make the
server call what sits beside it: signal-cli-rest-api (to send from the shared alert number,
or drain another organization's inbox), a webhook on loopback, the private network, the
cloud's metadata service; under every spelling of 127.0.0.1 and through a name that resolves
outward when saved and inward when sent. A listener on 127.0.0.1 (and ::1) counts every
connection made to it: it must count none, whatever the admin types or sends.
"""

import json
import socket
import threading

import pytest
from django.urls import reverse

from tocsin.delivery import notices
from tocsin.delivery.models import Alert, NoticeChannel
from tocsin.delivery.services import create_alert, send_alert


class Listener:
    """A TCP port that counts the connections made to it, whatever they speak."""

    def __init__(self, host: str = "127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _address = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(2)
            try:
                self.requests.append(self.read(conn))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            except OSError:
                pass
            finally:
                conn.close()

    @staticmethod
    def read(conn) -> bytes:
        """Read one HTTP request (headers and a Content-Length body), or what came."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _blank, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _colon, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def close(self):
        self.socket.close()


@pytest.fixture
def inside():
    """A service on this machine that no notice may reach."""
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture
def inside_v6():
    try:
        listener = Listener("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    yield listener
    listener.close()


def channels_url(org):
    return reverse("delivery:notice_channels", kwargs={"org": org.slug})


def add(admin_client, org, url):
    return admin_client.post(
        channels_url(org), {"name": "Stewards", "url": url, "kinds": ["notice", "verified"]}
    )


def inward_urls(port: int) -> list[str]:
    return [
        # signal-cli-rest-api: a message from the shared alert number.
        f"signal://127.0.0.1:{port}/+15555550100/+16125550111",
        f"signals://127.0.0.1:{port}/+15555550100/+16125550111",
        # A generic webhook that can GET, POST or PUT anything (?method=GET drains an inbox).
        f"json://127.0.0.1:{port}/v1/receive/+16125550150?method=GET",
        f"jsons://127.0.0.1:{port}/hook",
        f"form://127.0.0.1:{port}/hook",
        f"xml://127.0.0.1:{port}/hook",
        "json://10.0.0.1/hook",
        "json://169.254.169.254/latest/meta-data/",
        f"mailto://user:pass@127.0.0.1:{port}?to=x@example.org",
        # Accepted services, aimed inward.
        f"ntfy://127.0.0.1:{port}/stewards",
        f"ntfys://127.0.0.1:{port}/stewards",
        f"ntfys://localhost:{port}/stewards",
        f"ntfys://2130706433:{port}/stewards",
        f"ntfys://017700000001:{port}/stewards",
        f"ntfys://0x7f.1:{port}/stewards",
        f"mmosts://0x7f.1:{port}/token",
        f"ntfys://[::ffff:127.0.0.1]:{port}/stewards",
        f"ntfys://[::ffff:7f00:1]:{port}/stewards",
        f"ntfys://[2002:7f00:1::]:{port}/stewards",
        f"matrixs://tocsin:password@127.0.0.1:{port}/#stewards",
        f"matrix://tocsin:password@localhost:{port}/#stewards",
        f"mmosts://127.0.0.1:{port}/token",
        f"rockets://tocsin:password@127.0.0.1:{port}/#stewards",
        f"ntfys://u@127.0.0.1:{port}@8.8.8.8/stewards",
        "ntfys://10.0.0.1/stewards",
        "ntfys://192.168.1.10/stewards",
        "ntfys://172.16.0.1/stewards",
        "ntfys://169.254.169.254/stewards",
        "ntfys://100.64.0.1/stewards",
        "ntfys://224.0.0.1/stewards",
        "ntfys://0.0.0.0/stewards",
        "ntfys://[::]/stewards",
        "ntfys://[fe80::1]/stewards",
        "ntfys://[fd00::1]/stewards",
        "ntfys://[64:ff9b::a9fe:a9fe]/stewards",
    ]


def test_an_admin_cannot_save_a_channel_aimed_inward(admin_client, org, inside):
    for url in inward_urls(inside.port):
        response = add(admin_client, org, url)

        assert response.status_code == 400, url
        errors = response.context["form"].errors
        assert list(errors) == ["url"], url
        assert errors["url"][0], url
    assert not NoticeChannel.objects.exists()
    assert inside.connections == 0


def test_the_error_names_the_field_and_the_reason(admin_client, org, inside):
    loopback = add(admin_client, org, f"ntfys://127.0.0.1:{inside.port}/stewards")
    private = add(admin_client, org, "ntfys://10.0.0.1/stewards")
    metadata = add(admin_client, org, "ntfys://169.254.169.254/stewards")
    webhook = add(admin_client, org, f"json://127.0.0.1:{inside.port}/hook")

    assert "loopback" in loopback.context["form"].errors["url"][0]
    assert "private network" in private.context["form"].errors["url"][0]
    assert "link-local" in metadata.context["form"].errors["url"][0]
    assert "Matrix" in webhook.context["form"].errors["url"][0]
    page = loopback.content.decode()
    assert "Apprise URL:" in page and "loopback" in page


def test_an_admin_cannot_aim_a_channel_at_ipv6_loopback(admin_client, org, inside_v6):
    for url in [
        f"ntfys://[::1]:{inside_v6.port}/stewards",
        f"json://[::1]:{inside_v6.port}/hook",
        f"matrixs://tocsin:password@[::1]:{inside_v6.port}/#stewards",
    ]:
        assert add(admin_client, org, url).status_code == 400, url
    assert not NoticeChannel.objects.exists()
    assert inside_v6.connections == 0


def test_tocsins_own_services_stay_refused_inside_an_allowed_network(
    admin_client, org, inside, settings
):
    # The operator lets notices reach this machine (a Matrix beside Tocsin), and the admin
    # aims at the port signal-cli-rest-api listens on.
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.TOCSIN_SIGNAL_URL = f"http://127.0.0.1:{inside.port}"

    response = add(admin_client, org, f"ntfy://127.0.0.1:{inside.port}/stewards")

    assert response.status_code == 400
    assert "Tocsin's own services" in response.context["form"].errors["url"][0]
    assert inside.connections == 0


def test_a_channel_saved_before_the_rule_sends_nothing_inward(
    admin_client, org, admin, inside, django_capture_on_commit_callbacks
):
    # A channel an admin aimed at signal-cli-rest-api before this release, still stored.
    channel = NoticeChannel.objects.create(
        organization=org,
        name="Old webhook",
        url=f"json://127.0.0.1:{inside.port}/v1/receive/+16125550150?method=GET",
        kinds=["notice"],
    )
    test_url = reverse(
        "delivery:notice_channel_test", kwargs={"org": org.slug, "notice_channel": channel.code}
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(test_url).status_code == 302
        send_alert(create_alert(org, Alert.Kind.NOTICE, {"what": "Meeting"}, {"sites": []}))

    channel.refresh_from_db()
    assert channel.last_sent_at is None and "Matrix" in channel.last_error
    assert inside.connections == 0


@pytest.fixture
def room():
    """The organization's real room, on 127.0.0.2: a network the operator allows."""
    try:
        listener = Listener("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not a loopback address here")
    yield listener
    listener.close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """A name server the attacker controls, for rooms.attacker.example: each lookup answers
    with the next address in `answers` (the last one from then on)."""
    real = socket.getaddrinfo

    class Dns:
        answers: list[str] = []
        lookups = 0

        def getaddrinfo(self, host, port, *args, **kwargs):
            if host != "rooms.attacker.example":
                return real(host, port, *args, **kwargs)
            address = self.answers[min(self.lookups, len(self.answers) - 1)]
            self.lookups += 1
            return real(address, port, *args, **kwargs)

    dns = Dns()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


def test_a_name_that_pointed_outward_when_saved_and_inward_now_gets_nothing(
    admin_client, org, inside, room, rebinding_dns, settings, django_capture_on_commit_callbacks
):
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    rebinding_dns.answers = ["127.0.0.2"]
    url = f"ntfy://rooms.attacker.example:{inside.port}/stewards"
    assert add(admin_client, org, url).status_code == 302
    channel = NoticeChannel.objects.get()

    rebinding_dns.answers = ["127.0.0.1"]
    with django_capture_on_commit_callbacks(execute=True):
        send_alert(create_alert(org, Alert.Kind.NOTICE, {"what": "Meeting"}, {"sites": []}))
        admin_client.post(
            reverse(
                "delivery:notice_channel_test",
                kwargs={"org": org.slug, "notice_channel": channel.code},
            )
        )

    assert inside.connections == 0
    channel.refresh_from_db()
    assert "loopback" in channel.last_error and channel.last_sent_at is None


def test_a_name_that_rebinds_between_the_check_and_the_connection_gets_nothing(
    admin, org, inside, rebinding_dns, settings
):
    # The name answers outward to the first lookup (the check) and inward ever after (the
    # connection), hoping the server resolves it twice.
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    rebinding_dns.answers = ["127.0.0.2", "127.0.0.1"]
    url = f"ntfy://rooms.attacker.example:{inside.port}/stewards"

    error = notices.post(url, "Title", "Body")

    assert inside.connections == 0
    assert "loopback" in error


def test_the_room_a_name_really_points_to_gets_the_notice(
    admin, org, room, rebinding_dns, settings
):
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    rebinding_dns.answers = ["127.0.0.2"]
    url = f"ntfy://rooms.attacker.example:{room.port}/stewards"
    notices.check_url(url)

    assert notices.post(url, "Title", "Body") == ""

    assert room.connections == 1
    head, _blank, body = room.requests[0].partition(b"\r\n\r\n")
    assert b"Host: rooms.attacker.example" in head
    assert json.loads(body)["topic"] == "stewards"
