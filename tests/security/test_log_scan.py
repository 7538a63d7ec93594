"""Whoever reads the logs of a real `tocsin serve` (an operator, a backup, whoever seizes
the server) learns no token, code or personal link that would let them act as a member,
and no contact address or report text.

The demo world is served as an operator serves it (`tocsin serve --migrate` and
`tocsin worker`, at DEBUG, on its own SQLite database), with the channels delivered to
local servers. Its main paths are walked as their users walk them: reports from the site's
page and by SMS, joining, a member link, the emergency plan, a verify request answered, a
notice and its stop link, a pledge link, a ballot cast twice (409), an event link, RSVP and
check-in, a password reset, the API with a bearer token, and tokens in 404s, redirects,
forgeries, other cases and percent-encodings. Every secret handed out on the way is
collected (as it is, percent-encoded, and its parts), then every line the processes wrote
is scanned for them, and every personal route in the logs must show its secret blanked.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
import requests

from tests.conftest import twilio_signature
from tests.faults.servers import run_tocsin
from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.sms import LocalSmsGateway
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer, free_port

pytestmark = pytest.mark.long

REPO = Path(__file__).resolve().parents[2]
ORGANIZER = "organizer@demo.tocsin.test"
ORGANIZER_PASSWORD = "tocsin-demo-organizer"
PLAN_PIN = "4826"
SMS_ACCOUNT, SMS_TOKEN = "ACscan", "sms-" + secrets.token_hex(12)
# What people typed: none of it may reach a log.
REPORT_TEXT = "Six agents in grey vests by the ambulance bay asking nurses for papers"
REPORT_PLACE = "North ambulance bay behind the pharmacy"
REPORT_CALLBACK = "+16125550177"
SMS_TEXT = "Two unmarked white vans idling at the staff parking ramp on 8th"
SMS_SENDER = "+16125550188"
JOINER_EMAIL = "ximena.scan@joiner.test"
JOINER_NAME = "Ximena Quetzal-Ruiz"
NOTICE_TEXT = "Garage meeting moved to the union hall basement"
NEW_PASSWORD = "violet harbour " + secrets.token_hex(6)
# Where a personal link keeps its secret, by path (written here by hand, apart from the
# redaction under test).
SECRET_IN_PATH = [
    re.compile(r"^/a/([^/]+)"),
    re.compile(r"^/me/link/([^/]+)"),
    re.compile(r"^/ballot/([^/]+)"),
    re.compile(r"^/staff/password/[^/]+/([^/]+)"),
    re.compile(r"^/me/events/[^/]+/check-in/([^/]+)"),
]
# In the logs, each of these must be followed by the blank.
PERSONAL_ROUTE_IN_LOG = re.compile(
    r"/(?:a|me/link|ballot(?!/receipt/)|staff/password/[^/\s\"]+|me/events/[^/\s\"]+/check-in)"
    r"/([^/\s\"?]+)",
    re.IGNORECASE,
)
LINK = re.compile(r"https?://127\.0\.0\.1:\d+(/[^\s\"'<>)\]]*)")
WAIT = 60.0  # seconds for a message to arrive, at most (the worker polls each second)


def tocsin_env(var: Path, base_url: str, channels: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tocsin.settings",
        PYTHONUNBUFFERED="1",
        TOCSIN_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'tocsin.sqlite3'}",
        TOCSIN_QUEUE_URL=f"sqlite:///{var / 'queue.sqlite3'}",
        TOCSIN_BASE_URL=base_url,
        TOCSIN_LOG_LEVEL="DEBUG",
        TOCSIN_SMS_ACCOUNT=SMS_ACCOUNT,
        TOCSIN_SMS_TOKEN=SMS_TOKEN,
        TOCSIN_DEMO_PUSH_URL="http://push.invalid",  # no web push: not on this machine
        TOCSIN_SIGNAL_POLL_SECONDS="3600",
        **channels,
    )
    return env


def run(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    return run_tocsin(env, *args, timeout=timeout).stdout


def shell(env: dict[str, str], call: str) -> dict:
    import json

    out = run(env, "shell", "-c", f"from tests.security import log_world; log_world.{call}()")
    return json.loads(out.strip().splitlines()[-1])


class Processes:
    """The long-running processes, each writing its stdout and stderr to a file of its own."""

    def __init__(self, logs: Path, env: dict[str, str]):
        self.logs, self.env, self.running = logs, env, []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *args: str) -> None:
        out = (self.logs / f"{name}.out").open("w")
        err = (self.logs / f"{name}.err").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "tocsin", *args], cwd=REPO, env=self.env, stdout=out, stderr=err
        )
        self.running.append((process, out, err))

    def stop(self) -> None:
        for process, _out, _err in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process, out, err in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            out.close()
            err.close()


class Inboxes:
    """The local channel servers, and the links they received."""

    def __init__(self):
        self.servers = [
            CapturingSMTPServer().start(),
            LocalSignalServer().start(),
            LocalSmsGateway(account=SMS_ACCOUNT, token=SMS_TOKEN).start(),
        ]

    def settings(self) -> dict[str, str]:
        smtp, signal_server, sms = self.servers
        return {
            "TOCSIN_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "TOCSIN_SIGNAL_URL": signal_server.url,
            "TOCSIN_SMS_URL": sms.url,
        }

    def messages(self) -> list[str]:
        return [
            " ".join(str(value) for value in message.values())
            for server in self.servers
            for message in list(server.messages)
        ]

    def recipients(self) -> set[str]:
        found: set[str] = set()
        for server in self.servers:
            for message in list(server.messages):
                to = message.get("to", [])
                found.update([to] if isinstance(to, str) else to)
        return found

    def paths(self) -> list[str]:
        return [path for text in self.messages() for path in LINK.findall(text)]

    def wait_for_paths(self, prefix: str, seen: set[str], timeout: float = WAIT) -> list[str]:
        """Return the new paths starting with `prefix`, once there is one and no more come."""
        deadline, found = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            now = [p for p in dict.fromkeys(self.paths()) if p.startswith(prefix) and p not in seen]
            if now and now == found:
                seen.update(now)
                return now
            found = now
            time.sleep(0.5 if now else 0.2)
        raise TimeoutError(f"no message with a link to {prefix} arrived")

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


class Visitor(requests.Session):
    """A browser: it keeps its cookies, and sends the CSRF token with a form."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def get_page(self, path: str, **kwargs) -> requests.Response:
        return self.get(self.base + path, timeout=30, **kwargs)

    def post_form(self, path: str, data: dict, **kwargs) -> requests.Response:
        token = self.cookies.get("csrftoken") or ""
        return self.post(
            self.base + path, data={"csrfmiddlewaretoken": token, **data}, timeout=30, **kwargs
        )


def secret_of(path: str) -> str | None:
    for shape in SECRET_IN_PATH:
        match = shape.match(path)
        if match:
            return match.group(1)
    return None


def forms_of(secret: str) -> set[str]:
    """Return what a log might hold of a secret: itself, percent-encoded, its parts."""
    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}
    forms.update(part for part in re.split(r"[:]", secret) if len(part) >= 10)
    forms.update(secret[:12] for _ in [0] if len(secret) >= 16)
    return {form for form in forms if len(form) >= 6}


def serve_and_walk(tmp_path: Path) -> tuple[str, set[str]]:
    """Serve the demo, walk it, stop; return every line written and every secret given."""
    var = tmp_path / "var"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    inboxes = Inboxes()
    env = tocsin_env(var, base, inboxes.settings())
    processes = Processes(var / "logs", env)
    given: set[str] = {REPORT_TEXT, REPORT_PLACE, REPORT_CALLBACK, SMS_TEXT, SMS_SENDER}
    given |= {JOINER_EMAIL, JOINER_NAME, SMS_TOKEN, NEW_PASSWORD, NOTICE_TEXT}
    try:
        processes.start("serve", "serve", "--port", str(port), "--migrate", "--log-level", "debug")
        wait_until_up(base)
        facts = shell(env, "load_and_tell")  # the demo world, as `tocsin load-demo` loads it
        processes.start("worker", "worker", "--workers", "2")
        given |= {facts["plan_owner"], facts["report_token"]}
        walk(base, env, facts, inboxes, given)
    finally:
        processes.stop()
        inboxes.stop()
    given |= inboxes.recipients()
    for path in inboxes.paths():
        secret = secret_of(path)
        if secret:
            given.add(secret)
    logs = "\n".join(
        path.read_text(errors="replace") for path in sorted(var.rglob("*")) if is_log(path)
    )
    return logs, given


def is_log(path: Path) -> bool:
    return path.is_file() and (path.suffix in {".out", ".err", ".log"})


def wait_until_up(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise TimeoutError("tocsin serve did not answer")


def walk(base: str, env: dict[str, str], facts: dict, inboxes: Inboxes, given: set[str]) -> None:
    seen: set[str] = set()

    # A nurse reports from the hospital's page; a caller texts the reporting number.
    reporter = Visitor(base)
    report_page = f"/report/s/{facts['site']}/"
    reporter.get_page(report_page)
    reported = reporter.post_form(
        report_page,
        {"activity": REPORT_TEXT, "location": REPORT_PLACE, "callback": REPORT_CALLBACK, "seen": 0},
    )
    assert reported.status_code == 200, reported.status_code
    form = {"To": facts["report_number"], "From": SMS_SENDER, "Body": SMS_TEXT, "MessageSid": "SM1"}
    signed = twilio_signature(base + "/inbound/sms/", form, facts["report_token"])
    texted = requests.post(
        base + "/inbound/sms/", data=form, headers={"X-Twilio-Signature": signed}, timeout=30
    )
    assert texted.status_code == 200, texted.status_code

    # Someone joins at the hospital's page and types the code they were sent.
    joiner = Visitor(base)
    join_page = f"/join/s/{facts['site']}/"
    joiner.get_page(join_page)
    joiner.post_form(
        join_page,
        {
            "organization": facts["mna"],
            "display_name": JOINER_NAME,
            "language": "en",
            "email": JOINER_EMAIL,
            "follow_site": "on",
            "radius_m": "500",
            "kinds": ["1", "2", "4", "8"],
            "consent": "on",
        },
    )
    confirm = joiner.get_page("/join/confirm/").text
    code = wait_for_code(inboxes, JOINER_EMAIL)
    given.add(code)
    contact = re.search(r'name="contact" value="(\d+)"', confirm)
    joiner.post_form(
        "/join/confirm/", {"contact": contact.group(1) if contact else 0, "code": code}
    )

    # The ballots of the open vote went out when the demo loaded: one operator votes twice.
    ballots = inboxes.wait_for_paths("/a/", seen)
    voter = Visitor(base)
    for path in ballots:
        opened = voter.get_page(path, allow_redirects=False)
        location = urlsplit(opened.headers.get("Location", "")).path
        if location.startswith("/ballot/"):
            given.add(secret_of(location) or location)
            page = voter.get_page(location).text
            option = re.search(r'name="option" value="([^"]+)"', page)
            choice = {"option": option.group(1) if option else "1"}
            voter.post_form(location, choice)
            voter.post_form(location, choice)  # again: 409
            tokens_in_odd_places(voter, location)
            break
    else:
        pytest.fail("no ballot link arrived")

    # The dispatcher asks the verifiers; the vigil's nurse is reminded of it.
    dispatched = shell(env, "dispatch")
    given.update({dispatched["nurse"], dispatched["check_in_secret"]})
    verifier, nurse = Visitor(base), Visitor(base)
    answered = reminded = False
    # The verify requests and the reminder are separate jobs: take links as they arrive.
    deadline = time.monotonic() + WAIT
    arrived: list[str] = []
    while not (answered and reminded) and time.monotonic() < deadline:
        if not arrived:
            arrived = inboxes.wait_for_paths("/a/", seen)
        path = arrived.pop(0)
        opened = verifier.get_page(path, allow_redirects=False)
        if "/me/events/" in opened.headers.get("Location", "") or "Kaiser Oakland" in opened.text:
            nurse.get_page(path)
            nurse.post_form(
                path if opened.status_code == 200 else event_path(dispatched), {"do": "rsvp"}
            )
            check_in = f"/me/events/{dispatched['vigil']}/check-in/{dispatched['check_in_secret']}/"
            nurse.get_page(check_in)
            nurse.post_form(check_in, {})
            tokens_in_odd_places(nurse, check_in)
            reminded = True
        elif 'name="status"' in opened.text and not answered:
            verifier.post_form(path + "answer/", {"status": "confirmed", "note": REPORT_PLACE})
            requests.post(base + path + "answer/", data={"status": "confirmed"}, timeout=30)  # 403
            tokens_in_odd_places(verifier, path)
            answered = True
    assert answered and reminded, (answered, reminded)

    # The organizer signs in, sends the pledge to the operators and a notice to everyone.
    organizer = Visitor(base)
    organizer.get_page("/staff/login/")
    organizer.post_form("/staff/login/", {"email": ORGANIZER, "password": NEW_PASSWORD})  # wrong
    organizer.post_form("/staff/login/", {"email": ORGANIZER, "password": ORGANIZER_PASSWORD})
    organizer.post_form(
        f"/staff/o/{facts['atu']}/pledges/{facts['pledge']}/send/", {"confirm": "yes"}
    )
    operator = Visitor(base)
    pledge_link = inboxes.wait_for_paths("/a/", seen)[0]
    operator.get_page(pledge_link)
    organizer.get_page(f"/staff/o/{facts['atu']}/alerts/")
    organizer.post_form(
        f"/staff/o/{facts['atu']}/alerts/", {"what": NOTICE_TEXT, "audience": "everyone"}
    )
    notice_link = inboxes.wait_for_paths("/a/", seen)[0]
    reader = Visitor(base)
    reader.get_page(notice_link)
    reader.get_page(notice_link + "stop/")
    reader.post_form(notice_link + "stop/", {})
    tokens_in_odd_places(reader, notice_link)

    # The plan's owner asks for a member link, opens her pages and her plan with its PIN.
    member = Visitor(base)
    member.get_page("/me/link/")
    member.post_form("/me/link/", {"address": facts["plan_owner"]})
    link = inboxes.wait_for_paths("/me/link/", seen)[0]
    member.get_page(link)
    for page in ("/me/", "/me/contacts/", "/me/follows/", "/me/pledges/", "/me/events/"):
        member.get_page(page)
    member.get_page("/me/votes/")
    member.get_page("/me/plan/")
    member.post_form("/me/plan/", {"pin": PLAN_PIN})
    tokens_in_odd_places(member, link)

    # The organizer forgets the password and sets a new one from the emailed link.
    forgetful = Visitor(base)
    forgetful.get_page("/staff/password/")
    forgetful.post_form("/staff/password/", {"email": ORGANIZER})
    reset = inboxes.wait_for_paths("/staff/password/", seen)[0]
    forgetful.get_page(reset)
    forgetful.post_form(reset, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    tokens_in_odd_places(forgetful, reset)

    # The API, with a bearer token: a good one, a bad one, and one put in the query string.
    api_token = run(env, "api-token", ORGANIZER).strip().splitlines()[-1]
    given.add(api_token)
    api = f"{base}/api/v1/organizations/{facts['atu']}"
    good = requests.get(api, headers={"Authorization": f"Bearer {api_token}"}, timeout=30)
    assert good.status_code == 200, good.status_code
    requests.get(api, headers={"Authorization": f"Bearer {api_token[::-1]}"}, timeout=30)
    requests.get(f"{api}?token={api_token}", timeout=30)

    # Forged links, of every kind.
    stranger = Visitor(base)
    for forged in ("/a/forged-token-abcdefgh/", "/me/link/aGVsbG8:1vXyZ:forgedforgedforgedforged/"):
        stranger.get_page(forged)
    stranger.get_page("/ballot/eyJ2IjoiZm9yZ2VkIn0:1vXyZ:forgedforgedforgedforged/")
    stranger.get_page("/staff/password/someone/forged-reset-token/")

    for visitor in (reporter, joiner, voter, verifier, nurse, organizer, operator, reader):
        given.update(visitor.cookies.values())
    given.update(member.cookies.values())
    given.update(forgetful.cookies.values())


def event_path(dispatched: dict) -> str:
    return f"/me/events/{dispatched['vigil']}/"


def tokens_in_odd_places(visitor: Visitor, path: str) -> None:
    """Ask for a personal path the ways a log must still blank: under it (404), without its
    last slash (a redirect), in capitals, percent-encoded once and twice."""
    path = path.rstrip("/")
    secret = secret_of(path + "/") or ""
    head = path[: len(path) - len(secret)]
    visitor.get_page(path + "/nonsense/")
    visitor.get_page(path, allow_redirects=False)
    visitor.get_page(head.upper() + secret + "/")
    visitor.get_page(head + secret.replace(":", "%3A") + "/")
    visitor.get_page(head + secret.replace(":", "%253A") + "/")
    visitor.get_page(head.replace("/a/", "/%61/") + secret + "/")


def wait_for_code(inboxes: Inboxes, address: str, timeout: float = WAIT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in inboxes.messages():
            if address in text:
                found = re.search(r"\b(\d{3} ?\d{3})\b", text.split(address, 1)[-1])
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise TimeoutError("no confirmation code arrived")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return serve_and_walk(tmp_path_factory.mktemp("log-scan"))


def test_no_token_code_link_contact_or_report_text_reaches_any_log(served):
    logs, given = served

    leaks = sorted(
        {form for secret in given if secret for form in forms_of(secret) if form in logs}
    )
    assert not leaks, f"{len(leaks)} secrets in the logs, e.g. {leaks[:5]}"


def test_every_personal_route_in_the_logs_shows_its_secret_blanked(served):
    logs, _given = served

    shown = [m.group(0) for m in PERSONAL_ROUTE_IN_LOG.finditer(logs) if m.group(1) != "…"]
    assert not shown, shown[:10]
    # The walk was logged: the access lines and Django's warnings name the routes, blanked.
    assert re.search(r'"GET /a/…/ HTTP/1\.1" 200', logs)
    assert re.search(r'"POST /ballot/…/ HTTP/1\.1" 409', logs)
    assert re.search(r"Not Found: /a/…/nonsense/", logs)
    assert re.search(r"Conflict: /ballot/…/", logs)
    assert re.search(r'"GET /staff/password/[^/\s]+/…/ HTTP/1\.1" 200', logs)
    assert re.search(r'"GET /me/events/[^/\s]+/check-in/…/ HTTP/1\.1"', logs)
    assert re.search(r'"GET /api/v1/organizations/atu-local-1005\?… HTTP/1\.1" 401', logs)


def test_no_access_line_says_from_which_address_a_report_came(served):
    """Beside the time of `POST /report/…`, a client address says who reported."""
    logs, _given = served

    reports = [line for line in logs.splitlines() if '"POST /report/' in line]
    assert reports, "the walk's report was logged"
    assert not [line for line in reports if re.search(r"\b127\.0\.0\.1:\d+", line)], reports
