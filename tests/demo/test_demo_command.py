"""`tocsin demo` starts the whole demo and stops cleanly on Ctrl-C."""

import io
import signal
import subprocess
import sys
import time
import urllib.request

from django.core.management import call_command

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


def test_it_serves_the_demo_until_interrupted(tmp_path):
    port = free_port()
    env = tocsin_env(tmp_path, TOCSIN_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    process = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "demo", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=45)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/tocsin/app.css") as css:
            assert css.status == 200
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "admin@demo.tocsin.test" in output
    assert "tocsin-demo-admin" in output
    assert "Huey consumer started" in output
    assert "Consumer exiting" in output
    assert "Finished server process" in output


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
