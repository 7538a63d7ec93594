"""`tocsin demo` starts the whole demo, with a local server per channel, and stops cleanly on
Ctrl-C."""

import base64
import contextlib
import io
import json
import signal
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from pywebpush import webpush

from tocsin.demo.people import WEB_PUSH_EVERY, generate_members

from .conftest import REPO, free_port, tocsin_env


def wait_for_health(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "tocsin demo exited before it served"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def post(url: str, body: bytes, content_type: str, authorization: str = "") -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def a_demo_push_subscription(var_dir, push_port: int) -> dict:
    """Return one demo member's subscription as their browser would give it, from the keys
    the local push service keeps (it stands in for the members' browsers)."""
    state = json.loads((var_dir / "demo-push.json").read_text())
    endpoint_id, saved = next(iter(state.items()))
    private_key = ec.derive_private_key(int(saved["private"], 16), ec.SECP256R1())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": f"http://127.0.0.1:{push_port}/push/{endpoint_id}",
        "keys": {"p256dh": b64url(public), "auth": saved["auth"]},
    }


def outbox(var_dir, channel: str) -> list[dict]:
    path = var_dir / "outbox" / f"{channel}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for_outbox(var_dir, channel: str, wanted, timeout: float = 10) -> list[dict]:
    """Return the outbox lines `wanted` picks, once there are any: the demo's own messages
    (its open vote's ballots go out when it starts) stand beside the test's."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in outbox(var_dir, channel) if wanted(line)]
        if lines or time.monotonic() >= deadline:
            return lines
        time.sleep(0.1)


def test_it_serves_the_demo_and_its_channel_servers_until_interrupted(tmp_path):
    port = free_port()
    ports = {channel: free_port() for channel in ("email", "signal", "sms", "push")}
    # Fresh ports, so that this test and a demo running on the defaults leave each other alone.
    env = tocsin_env(
        tmp_path,
        TOCSIN_SMTP_URL=f"smtp://127.0.0.1:{ports['email']}",
        TOCSIN_SIGNAL_URL=f"http://127.0.0.1:{ports['signal']}",
        TOCSIN_SMS_URL=f"http://127.0.0.1:{ports['sms']}",
        TOCSIN_DEMO_PUSH_URL=f"http://127.0.0.1:{ports['push']}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "demo", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=150)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/tocsin/app.css") as css:
            assert css.status == 200
        # The children run as the demo: its outbox page exists, for signed-in staff.
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(f"http://127.0.0.1:{port}/demo/outbox/", timeout=5)
        assert answer.value.code == 302
        assert "/staff/login/" in answer.value.headers["Location"]

        signal_send = json.dumps(
            {"message": "Hola", "number": "+15555550100", "recipients": ["+16125550102"]}
        ).encode()
        assert (
            post(f"http://127.0.0.1:{ports['signal']}/v2/send", signal_send, "application/json")
            == 201
        )
        sms = b"To=%2B16125550103&From=%2B15555550101&Body=Hello"
        assert (
            post(
                f"http://127.0.0.1:{ports['sms']}/2010-04-01/Accounts/ACdemo/Messages.json",
                sms,
                "application/x-www-form-urlencoded",
                "Basic " + base64.b64encode(b"ACdemo:demo-token").decode(),
            )
            == 201
        )
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "tocsin@localhost", "rosa@example.org", "Hi"
        mail.set_content("Union meeting at 6 pm")
        with smtplib.SMTP("127.0.0.1", ports["email"], timeout=5) as smtp:
            smtp.send_message(mail)
        vapid = json.loads((tmp_path / "vapid.json").read_text())
        pushed = webpush(
            a_demo_push_subscription(tmp_path, ports["push"]),
            json.dumps({"title": "AVISO", "body": "Asamblea a las 6"}),
            vapid_private_key=vapid["TOCSIN_VAPID_PRIVATE_KEY"],
            vapid_claims={"sub": "mailto:admin@localhost"},
            ttl=60,
        )
        assert pushed.status_code == 201

        signals = wait_for_outbox(tmp_path, "signal", lambda m: m["text"] == "Hola")
        assert [m["to"] for m in signals] == ["+16125550102"]
        texts = wait_for_outbox(tmp_path, "sms", lambda m: m["text"] == "Hello")
        assert [m["to"] for m in texts] == ["+16125550103"]
        mails = wait_for_outbox(tmp_path, "email", lambda m: m["subject"] == "Hi")
        assert [m["to"] for m in mails] == [["rosa@example.org"]]
        [push] = wait_for_outbox(
            tmp_path,
            "push",
            lambda m: m["payload"] == {"title": "AVISO", "body": "Asamblea a las 6"},
        )
        assert push["payload"] == {"title": "AVISO", "body": "Asamblea a las 6"}

        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            # Its children may still hold the pipe: never wait on them for ever.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert "admin@demo.tocsin.test" in output
    assert "tocsin-demo-admin" in output
    assert "Huey consumer started" in output
    assert "Worker exiting" in output  # every lane stopped (tocsin/core/consumers.py)
    assert "Finished server process" in output
    for channel in ("email", "signal", "sms", "push"):
        assert f"Local {channel} server on 127.0.0.1:{ports[channel]}" in output
    # A quarter of the members have a push subscription, each kept by the push service.
    subscriptions = json.loads((tmp_path / "demo-push.json").read_text())
    assert len(subscriptions) == len(generate_members()) // WEB_PUSH_EVERY


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_it_does_not_reload_a_database_with_data_and_prints_only_unchanged_accounts(
    db, demo_world, monkeypatch
):
    from tocsin.accounts.services.people import find_person_by_login

    started = []
    monkeypatch.setattr(
        "tocsin.demo.management.commands.demo.run_together",
        lambda children, write: started.extend(c.name for c in children) or 0,
    )
    admin = find_person_by_login("admin@demo.tocsin.test")
    admin.set_password("a private passphrase now")
    admin.save()
    out = io.StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "not loading the demo world" in printed
    assert "dispatch@demo.tocsin.test" in printed
    assert "admin@demo.tocsin.test" not in printed
    assert started[:2] == ["web server", "worker"]
