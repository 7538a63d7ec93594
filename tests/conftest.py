"""Shared fixtures: an organization with a site, its admin and member, and an outsider.

Browser, PostgreSQL and Redis tests are skipped where their server is missing, except in
CI (TOCSIN_STRICT_TESTS=1), where a skip of those is a failure.
"""

import json
import os
import shutil
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.models import Membership, Organization, Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import create_person
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer
from tocsin.demo.world import action_year

STRICT = os.environ.get("TOCSIN_STRICT_TESTS") == "1"
CHROMIUM = os.environ.get("TOCSIN_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Skip tests whose server is missing; in CI (STRICT) run them anyway, so they fail."""
    reasons = {
        "browser": None if shutil.which(CHROMIUM) else f"{CHROMIUM} is not installed",
        "redis": None if os.environ.get("TOCSIN_TEST_REDIS_URL") else "TOCSIN_TEST_REDIS_URL unset",
    }
    postgres_pass = os.environ.get("TOCSIN_TEST_USE_POSTGRES") == "1"
    for item in items:
        if item.get_closest_marker("postgres") and not postgres_pass:
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass only"))
        for marker, reason in reasons.items():
            if reason and not STRICT and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def fresh_report_rate():
    """A full report allowance for the test client's address (127.0.0.1), before and after:
    the rate limit's buckets live in the queue's store and outlast a test run."""
    from tocsin.response.services.reports import reset_rate

    reset_rate("127.0.0.1")
    yield
    reset_rate("127.0.0.1")


@pytest.fixture(autouse=True)
def _speak_english_again():
    """A request in Spanish leaves Spanish active in its thread; start each test afresh."""
    yield
    from django.utils import translation

    translation.deactivate()


# The year of the articles' January (the ATU pledge's deadline, the week of action), always
# the coming one, as in the demo: tests that play those days stay in the future.
YEAR = action_year()
SPANISH_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def spanish_weekday(year: int, month: int, day: int) -> str:
    """The weekday's name as a Spanish calendar prints it (Jan 26, 2027: "martes")."""
    return SPANISH_WEEKDAYS[date(year, month, day).weekday()]


def full_width(text: str) -> str:
    """Return text as a full-width keyboard (Chinese, Japanese) types it: +1 as its
    full-width plus and one, spaces kept."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def arabic_indic(text: str) -> str:
    """Return text with its digits as Arabic-Indic ones, as an Arabic keyboard types them."""
    return "".join(chr(0x0660 + int(char)) if char in "0123456789" else char for char in text)


def make_org(slug="mna", name="Minnesota Nurses Association", kind=Organization.Kind.UNION):
    return Organization.objects.create(slug=slug, name=name, kind=kind)


def make_site(org, name="Hennepin County Medical Center", lat="44.972700", lng="-93.262200"):
    site = Site.objects.create(
        kind=Site.Kind.HOSPITAL, name=name, address="701 Park Ave, Minneapolis", lat=lat, lng=lng
    )
    site.organizations.add(org)
    return site


def make_person(
    org, roles=Role.MEMBER, email=None, password=None, name="Test Person", language="en", site=None
):
    person = create_person(display_name=name, language=language, email=email, password=password)
    Membership.objects.create(
        person=person, organization=org, roles=int(roles | Role.MEMBER), site=site
    )
    return person


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def site(org):
    return make_site(org)


@pytest.fixture
def other_org(db):
    return make_org(slug="seiu-26", name="SEIU Local 26")


@pytest.fixture
def admin(org):
    return make_person(
        org, Role.ADMIN, email="admin@mna.test", password="correct horse 42", name="Ada Admin"
    )


@pytest.fixture
def member(org, site):
    return make_person(org, Role.MEMBER, name="Marisol Member", language="es", site=site)


@pytest.fixture
def outsider(other_org):
    """An admin of another organization: fully privileged, but not here."""
    return make_person(
        other_org,
        Role.ADMIN,
        email="admin@seiu.test",
        password="another horse 42",
        name="Otto Outsider",
    )


def verified_client(client, person):
    """Sign a person in with their second factor verified, as after a real TOTP step."""
    device, _created = TOTPDevice.objects.get_or_create(user=person, name="test", confirmed=True)
    client.force_login(person)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def member_client(client, person):
    """Sign `person` in on `client` through a member link to a confirmed contact of theirs,
    as the link in a message does (an email address is added when they have none)."""
    from django.urls import reverse

    from tocsin.accounts.access import MEMBER_SESSION_KEY
    from tocsin.accounts.services.people import add_contact
    from tocsin.joining.links import member_link_token

    contact = person.contacts.filter(confirmed_at__isnull=False).first()
    if contact is None:
        contact = add_contact(person, "email", f"{person.public_id.hex[:12]}@example.org", True)
    client.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    assert client.session[MEMBER_SESSION_KEY] == person.pk
    return client


@pytest.fixture
def admin_client(client, admin):
    return verified_client(client, admin)


@pytest.fixture
def outsider_client(client, outsider):
    return verified_client(client, outsider)


# Playwright's sync API runs an event loop in the test thread; the test itself still makes
# plain synchronous ORM calls between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A fresh browser page the size of a phone, pointed at the live test server.

    Use `phone.goto(live_server.url + path)`. The page's language follows its
    Accept-Language, English unless a test asks otherwise with `phone_in("es")`.
    """
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


SCREENS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
BROWSER_LOCALES = {"en": "en-US", "es": "es-US", "so": "so-SO"}


def browser_context(chromium, screen="phone", language="en", timeout=10_000):
    """Return a new browser context the size of `screen` (a phone is touched, not clicked)
    whose browser speaks `language`."""
    context = chromium.new_context(
        viewport=SCREENS[screen],
        is_mobile=screen == "phone",
        has_touch=screen == "phone",
        locale=BROWSER_LOCALES[language],
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(timeout)
    return context


@pytest.fixture
def phone_in(chromium, live_server):
    """Return a factory of phone-sized pages whose browser speaks the given language."""
    contexts = []

    def make(language: str):
        context = browser_context(chromium, "phone", language)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desk(chromium, live_server, transactional_db):
    """A desktop-sized browser page for staff, closed before the database goes."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def wait_until(check, timeout=20.0):
    """Return check()'s first truthy answer, polling; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the jobs a service schedules on commit, as the worker would: `with sent(): ...`."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_in_browser(page, live_server, person):
    """Give a browser page the session of `person`, signed in with a verified second factor."""
    from django.conf import settings
    from django.test import Client

    client = verified_client(Client(), person)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


# Local servers that speak the channels' protocols: SMTP (aiosmtpd) and HTTP gateways.


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port, with Django's mailer pointed at it."""
    server = CapturingSMTPServer().start()
    settings.MAILERS = server.mailer_settings()
    yield server
    server.stop()


class RecordingHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body": self.rfile.read(length),
            }
        )
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def give_reporting_number(org, number: str, token: str) -> None:
    """Give the organization a reporting number and its gateway's token (decision 0006)."""
    org.report_number, org.sms_inbound_token = number, token
    org.save(update_fields=["report_number", "sms_inbound_token"])


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Sign a webhook's form as a Twilio gateway holding `token` does, with Twilio's own SDK
    (twilio.request_validator), so that our check is tested against the gateway's code."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def http_gateway():
    """An HTTP server on 127.0.0.1 that records each POST and answers `server.answer`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.requests = []
    server.answer = (201, json.dumps({"timestamp": "1"}).encode())
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def signal_server(settings):
    """signal-cli-rest-api's send call, answered by a real local server on a free port."""
    from tocsin.delivery.local_servers.signal import LocalSignalServer

    server = LocalSignalServer().start()
    settings.TOCSIN_SIGNAL_URL = server.url
    settings.TOCSIN_SIGNAL_NUMBER = "+15555550100"
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(settings):
    """A Twilio-compatible Messages endpoint, answered by a real local server on a free port.

    Its status callbacks are off (a test turns them on with `status_callbacks = True` once
    TOCSIN_BASE_URL is a server it runs, such as live_server)."""
    from tocsin.delivery.local_servers.sms import LocalSmsGateway

    server = LocalSmsGateway(account="AC123", token="secret-token", status_callbacks=False)
    server.start()
    settings.TOCSIN_SMS_URL = server.url
    settings.TOCSIN_SMS_ACCOUNT = "AC123"
    settings.TOCSIN_SMS_TOKEN = "secret-token"
    settings.TOCSIN_SMS_FROM = "+15555550101"
    yield server
    server.stop()


@pytest.fixture
def vapid(settings):
    """A fresh VAPID key pair for this test's web push."""
    from tocsin.delivery.vapid import generate_vapid_keys

    keys = generate_vapid_keys()
    settings.TOCSIN_VAPID_PRIVATE_KEY = keys["TOCSIN_VAPID_PRIVATE_KEY"]
    settings.TOCSIN_VAPID_PUBLIC_KEY = keys["TOCSIN_VAPID_PUBLIC_KEY"]
    settings.TOCSIN_VAPID_SUBJECT = "mailto:admin@mna.example.org"
    return keys


@pytest.fixture
def worker():
    """Real Huey consumers in this process, one per lane, so retries and back-off run as in
    production (use with django_db(transaction=True): their threads have their own
    connections). Signals stay with pytest's main thread."""
    from huey.contrib.djhuey import HUEY

    from tocsin.core.consumers import Lanes
    from tocsin.delivery.lanes import consumers, lanes, queues

    HUEY.immediate = False
    for queue in queues().values():
        queue.flush()
    running = Lanes(
        consumers(
            dict.fromkeys(lanes(), 2), periodic=False, check_worker_health=False, max_delay=1.0
        )
    )
    running.start()  # every lane's worker and scheduler threads; returns at once
    yield running
    running.stop(graceful=True)
    for queue in queues().values():
        queue.flush()
    HUEY.immediate = True


@pytest.fixture
def redis_server():
    """A throwaway redis-server of the test's own on a free port (nothing on disk), which
    the test may kill: .kill(), .shutdown(), .start() again on the same port."""
    from tests.faults.servers import RedisServer

    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_server():
    """A throwaway PostgreSQL cluster with an empty database `tocsin`: .stop(), .start()."""
    from tests.faults.servers import PostgresServer

    server = PostgresServer().create()
    yield server
    server.destroy()


@pytest.fixture
def push_service():
    """A Web Push service (RFC 8030) on a free port, as a browser's vendor runs one."""
    from tocsin.delivery.local_servers.push import LocalPushService

    service = LocalPushService().start()
    yield service
    service.stop()


@pytest.fixture
def servers(smtp_server, signal_server, sms_gateway):
    """The local email, Signal and SMS servers, by channel."""
    return {"email": smtp_server, "signal": signal_server, "sms": sms_gateway}
