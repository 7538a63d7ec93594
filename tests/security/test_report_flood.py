"""The malicious reporter's flood: many addresses, many pins, heavy photos.

- Twenty addresses of one IPv6 /64 are one source, held to one source's allowance.
- Forty far-apart pins from forty addresses page the dispatchers once, and once more with
  the count when the hold ends; the console shows them as one burst, not forty lines.
- A decompression bomb (a small PNG declaring 6300 x 6300 pixels) is refused from its
  header, with no decoding; and a source over its limit costs no decoding at all.

Pillow is real: the decoder calls are counted by wrapping Pillow's own decoder factory.
"""

import io
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.conftest import make_person, member_client, verified_client
from tocsin.accounts.roles import Role
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident, Report
from tocsin.response.services.reports import reset_rate

NETWORK = "2001:db8:abcd:12"
WHAT = "Agents in tactical vests at the ambulance bay"


@pytest.fixture
def flood_addresses():
    """Forget the floods' sources before and after: the buckets outlive the test."""
    used: list[str] = []

    def use(*addresses: str) -> tuple[str, ...]:
        used.extend(addresses)
        for address in addresses:
            reset_rate(address)
        return addresses

    yield use
    for address in used:
        reset_rate(address)


@pytest.fixture
def dispatcher(org):
    return make_person(
        org, Role.DISPATCHER, email="dispatch@mna.test", password="dispatch horse 42"
    )


def report_page(client: Client, org, address: str, **fields):
    return client.post(
        reverse("response:report_org", kwargs={"org": org.slug}),
        {"activity": WHAT, "seen": "0", **fields},
        REMOTE_ADDR=address,
    )


def test_twenty_addresses_of_one_ipv6_64_are_held_to_one_sources_allowance(
    org, site, settings, flood_addresses
):
    settings.TOCSIN_REPORT_BURST = 5
    addresses = flood_addresses(*[f"{NETWORK}::{n:x}" for n in range(1, 21)])

    answers = [report_page(Client(), org, address).status_code for address in addresses]

    assert answers == [302] * 5 + [429] * 15
    assert Report.objects.count() == 5
    # The next /64 is someone else.
    (neighbour,) = flood_addresses("2001:db8:abcd:13::1")
    assert report_page(Client(), org, neighbour).status_code == 302


def test_an_ipv4_address_written_as_ipv6_is_the_same_source(org, site, settings, flood_addresses):
    settings.TOCSIN_REPORT_BURST = 1
    plain, mapped = flood_addresses("198.51.100.7", "::ffff:198.51.100.7")

    assert report_page(Client(), org, plain).status_code == 302
    assert report_page(Client(), org, mapped).status_code == 429


def pins(count: int) -> list[tuple[float, float]]:
    """Points about 1.1 km apart around Minneapolis: each opens its own incident."""
    return [(44.90 + 0.01 * (n // 8), -93.32 + 0.014 * (n % 8)) for n in range(count)]


def test_forty_far_apart_pins_page_the_dispatchers_once_and_show_as_one_burst(
    org, dispatcher, client, settings, sent, smtp_server, flood_addresses
):
    addresses = flood_addresses(*[f"203.0.113.{n}" for n in range(1, 41)])

    with sent():
        for address, (lat, lng) in zip(addresses, pins(40), strict=True):
            answer = Client().post(
                "/api/v1/reports",
                json.dumps({"organization": org.slug, "activity": WHAT, "lat": lat, "lng": lng}),
                content_type="application/json",
                REMOTE_ADDR=address,
            )
            assert answer.status_code == 201

    assert Incident.objects.count() == 40
    # Every report is stored; one page went, for the first.
    (page,) = smtp_server.messages
    assert page["to"] == ["dispatch@mna.test"] and "NEW REPORT" in page["subject"]
    console = verified_client(client, dispatcher).get(f"/staff/o/{org.slug}/console/")
    html = console.content.decode()
    assert html.count('class="burst') == 1
    assert "39 new incidents" in html

    # When the hold ends, one more page says how many, and that it was a flood.
    from tocsin.response.tasks import page_burst_later

    (burst_id,) = set(Incident.objects.exclude(burst=None).values_list("burst", flat=True))
    with sent():
        assert page_burst_later.call_local(burst_id) == 39
        assert page_burst_later.call_local(burst_id) == 0
    assert len(smtp_server.messages) == 2
    count_page = smtp_server.messages[1]
    assert "39 more new incidents" in count_page["body"] and "flood" in count_page["body"]
    assert Alert.objects.filter(kind=Alert.Kind.NEW_INCIDENT).count() == 2


def test_a_members_report_pages_at_once_even_during_a_burst(
    org, site, dispatcher, member, client, sent, smtp_server, flood_addresses
):
    first, second = flood_addresses("203.0.113.61", "203.0.113.62")
    (one, two, three) = pins(3)
    with sent():
        report_page(Client(), org, first, lat=one[0], lng=one[1])
        report_page(Client(), org, second, lat=two[0], lng=two[1])
    assert len(smtp_server.messages) == 1

    reset_rate(str(member.public_id))
    with sent():
        answer = member_client(client, member).post(
            reverse("response:report_member"),
            {"activity": WHAT, "seen": "0", "lat": three[0], "lng": three[1]},
        )
    reset_rate(str(member.public_id))

    assert answer.status_code == 302
    assert len(smtp_server.messages) == 2


def bomb_png(side: int = 6300) -> bytes:
    """A PNG a few hundred kilobytes long that declares side x side pixels, all black."""
    out = io.BytesIO()
    Image.new("L", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_jpeg(size=(3000, 2000)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def decoder_calls(monkeypatch):
    """Count Pillow's decoders made (every decoding of pixels makes one)."""
    calls = []
    real = Image._getdecoder

    def counting(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else "")
        return real(*args, **kwargs)

    monkeypatch.setattr(Image, "_getdecoder", counting)
    return calls


def upload(content: bytes, name: str, kind: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=kind)


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(
    org, site, decoder_calls, flood_addresses
):
    (address,) = flood_addresses("198.51.100.44")
    bomb = bomb_png()
    assert len(bomb) < 300_000

    started = time.process_time()
    answer = report_page(Client(), org, address, photo=upload(bomb, "bomb.png", "image/png"))
    spent = time.process_time() - started

    assert answer.status_code == 400
    assert "photo" in answer.context["form"].errors
    assert "pixels" in answer.context["form"].errors["photo"][0]
    assert decoder_calls == []
    assert spent < 0.5
    assert not Report.objects.exists()


def test_a_source_over_its_limit_costs_no_decoding(
    org, site, settings, decoder_calls, flood_addresses
):
    settings.TOCSIN_REPORT_BURST = 1
    (address,) = flood_addresses("198.51.100.45")
    photo = photo_jpeg()
    assert report_page(Client(), org, address).status_code == 302

    answer = report_page(Client(), org, address, photo=upload(photo, "raid.jpg", "image/jpeg"))

    assert answer.status_code == 429
    assert decoder_calls == []
    assert Report.objects.count() == 1


def test_a_photo_within_the_limit_is_still_taken(org, site, decoder_calls, flood_addresses):
    (address,) = flood_addresses("198.51.100.46")

    answer = report_page(
        Client(), org, address, photo=upload(photo_jpeg(), "raid.jpg", "image/jpeg")
    )

    assert answer.status_code == 302
    photo = Report.objects.get().photos.get()
    assert max(photo.width, photo.height) == 1600
    assert decoder_calls
