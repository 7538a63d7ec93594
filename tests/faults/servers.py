"""Servers and processes a fault test owns, so that it may kill them.

RedisServer      a throwaway `redis-server` on a free port, nothing on disk unless asked
                 (`appendonly=True`): kill() is SIGKILL, shutdown() is a clean SHUTDOWN,
                 start() brings it back on the same port.
PostgresServer   a throwaway PostgreSQL cluster (initdb in a temporary folder, run as the
                 `postgres` user when the tests run as root): stop() and start() restart it
                 on the same port; `url` is a database in it.
database_url()   the URL of the test's own database, for a `tocsin` process.
tocsin_env()     the environment of a real `tocsin` process on a given database and queue,
                 with the local channel servers of tests/conftest.py.
start_tocsin()   runs `tocsin <args>` (worker, serve) as its own process group, so that a
                 test can kill it and everything it started.

Nothing here reaches beyond 127.0.0.1, and every wait is bounded.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from tocsin.delivery.local_servers.smtp import free_port

REPO = Path(__file__).resolve().parents[2]


def wait_until(check, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Return check()'s first truthy value within `timeout` seconds, or fail saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with contextlib.closing(socket.socket()) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A redis-server of the test's own on 127.0.0.1."""

    def __init__(self, appendonly: bool = False):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tocsin-redis-"))
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.dir),
                "--save", "",
                "--appendonly", "yes" if self.appendonly else "no",
                "--appendfsync", "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), 10, what="redis-server to listen")
        return self

    def kill(self) -> None:
        """SIGKILL: whatever was not written to disk is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def shutdown(self) -> None:
        """A clean stop (SIGTERM makes redis-server SHUTDOWN, writing its AOF)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_bin(name: str) -> str:
    """Return the path of a PostgreSQL server program (initdb, pg_ctl), which Debian keeps
    out of PATH."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    assert candidates, f"{name} is not installed (Debian: postgresql)"
    return str(candidates[0])


class PostgresServer:
    """A PostgreSQL cluster of the test's own, on a free port, fsync off, trust auth."""

    def __init__(self, database: str = "tocsin"):
        self.port = free_port()
        self.database = database
        self.dir = Path(tempfile.mkdtemp(prefix="tocsin-pg-"))
        self.data = self.dir / "data"
        # PostgreSQL refuses to run as root: run it as the `postgres` user if there is one.
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = list(args)
        if self.user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def create(self) -> "PostgresServer":
        self._run(
            postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(
            postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            self.database,
        )  # fmt: skip
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "30",
            "-l", str(self.dir / "log"), "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends every session, `immediate` is a crash."""
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def database_url(name: str | None = None) -> str:
    """Return the URL of the database the test itself runs on (SQLite file or PostgreSQL),
    or of another database `name` on its PostgreSQL server, for a `tocsin` subprocess."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or database['NAME']}"
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or database['NAME']}"


def the_keys() -> dict[str, str]:
    """Return the secret settings this test run's keys are, by name."""
    return {
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,
        "TOCSIN_ENCRYPTION_KEYS": ",".join(settings.TOCSIN_ENCRYPTION_KEYS),
        "TOCSIN_BLIND_INDEX_KEY": settings.TOCSIN_BLIND_INDEX_KEY,
    }


def tocsin_env(var: Path, servers: dict, database_url: str, queue_url: str, **extra) -> dict:
    """Return the environment of a real `tocsin` process on this test's keys, the given
    database and queue, and the local channel servers in `servers` (email, signal, sms,
    push: any of them). `extra` adds or overrides settings (values are strings)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tocsin.settings",
        "TOCSIN_ENV": "development",
        "TOCSIN_VAR_DIR": str(var),
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,
        "TOCSIN_ENCRYPTION_KEYS": ",".join(settings.TOCSIN_ENCRYPTION_KEYS),
        "TOCSIN_BLIND_INDEX_KEY": settings.TOCSIN_BLIND_INDEX_KEY,
        "DATABASE_URL": database_url,
        "TOCSIN_QUEUE_URL": queue_url,
        "TOCSIN_QUEUE_NAME": settings.TOCSIN_QUEUE_NAME,
        "TOCSIN_QUEUE_IMMEDIATE": "0",
        "TOCSIN_SMS_ACCOUNT": settings.TOCSIN_SMS_ACCOUNT,
        "TOCSIN_SMS_TOKEN": settings.TOCSIN_SMS_TOKEN,
        "TOCSIN_SMS_FROM": settings.TOCSIN_SMS_FROM,
        "TOCSIN_SIGNAL_NUMBER": settings.TOCSIN_SIGNAL_NUMBER,
    }
    env.pop("TOCSIN_TEST_USE_POSTGRES", None)
    if "email" in servers:
        env["TOCSIN_SMTP_URL"] = f"smtp://127.0.0.1:{servers['email'].port}"
    if "signal" in servers:
        env["TOCSIN_SIGNAL_URL"] = servers["signal"].url
    if "sms" in servers:
        env["TOCSIN_SMS_URL"] = servers["sms"].url
    return env | {key: str(value) for key, value in extra.items()}


def start_tocsin(env: dict, *args: str, log: Path | None = None) -> subprocess.Popen:
    """Start `tocsin <args>` in its own process group; its output goes to `log` if given."""
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child owns it)
    return subprocess.Popen(
        [sys.executable, "-m", "tocsin", *args],
        cwd=REPO,
        env=env,
        process_group=0,
        stdout=output,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )


def stop_tocsin(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process started by start_tocsin, with everything it started; SIGKILL if it
    has not stopped within `timeout` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def run_tocsin(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run `tocsin <args>` to its end and return what it printed; fail if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"tocsin {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done
