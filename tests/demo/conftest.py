"""Fixtures for the demo and the commands that run Tocsin: a loaded demo world, and the
environment for running `tocsin` in a subprocess as an operator would."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from tocsin.demo.services import load_demo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world, loaded once for a module of tests, and removed after them.

    Each test still runs in its own transaction (ask for `db` too), so a test that changes
    something leaves the world as it found it.
    """
    with django_db_blocker.unblock():
        summary = load_demo()
    yield summary
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tocsin_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Return an environment for a `tocsin` subprocess: this one without any TOCSIN_* or
    DJANGO_* setting (the browser tests allow async-unsafe calls), with the real settings
    module, its own var/ directory, and `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env["DJANGO_SETTINGS_MODULE"] = "tocsin.settings"
    env["TOCSIN_VAR_DIR"] = str(var_dir)
    env.update(overrides)
    return env


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Return a complete production environment, as .env.example describes it."""
    values = {
        "TOCSIN_ENV": "production",
        "TOCSIN_SECRET_KEY": "x7-" + Fernet.generate_key().decode() + "-long-and-random",
        "TOCSIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TOCSIN_BLIND_INDEX_KEY": Fernet.generate_key().decode(),
        "TOCSIN_ALLOWED_HOSTS": "tocsin.example.org",
        "TOCSIN_BASE_URL": "https://tocsin.example.org",
        "DATABASE_URL": f"sqlite:///{var_dir / 'tocsin.sqlite3'}",
    }
    return tocsin_env(var_dir, **(values | overrides))


def run_tocsin(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
