"""Whoever seizes the server after a secret ballot cannot tell how anyone voted.

The issue's attacker linked five of five voters to their choice, twice, from a seized
server. Here five of ATU Local 1005's six bus operators cast, one after the other, through
the real ballot page of a real `tocsin serve`, in an order the attacker is assumed to know
(the access log, a watcher at the garage). Then the attacker takes everything the server
holds: the database as files (SQLite's main file with its -wal and -shm, read as raw
bytes; on PostgreSQL every page of every fork of every votes table, index and TOAST table,
through pageinspect, which shows xmin, xmax, ctid, dead tuples and the bytes of free
space), the server's own output (uvicorn's access log and Django's log), the queue and
the keys.

Two worlds start from one copy of the same server, keys included. The same operators cast
in the same order; only their choices are swapped around, with the same totals. Whatever
the attacker computes from what they hold, they compute the same in both worlds, once the
values that are each world's own fresh randomness are masked, and nothing else:

- each receipt's keyed hash (the receipt is a random code shown once, to its voter; the
  k-th cast's hash of one world stands for the k-th of the other);
- SQLite's WAL salts and the checksums over them (drawn at random when the WAL restarts);
- PostgreSQL's page LSNs and checksums, and transaction ids, which are mapped in order of
  size (the server's counters are shared with every other database on it);
- the TCP ports and process ids in the server's output.

So nothing the attacker holds tells Ana's Yes from Ana's No (decision 0011 says what this
covers and what it does not).
"""

import contextlib
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from tests.demo.conftest import REPO, free_port, tocsin_env

pytestmark = pytest.mark.long

# Two options, five casts in a known order, the same totals (three Yes, two No) in both
# worlds; four of the five operators chose differently from one world to the other.
YES, NO = 1, 2
CHOICES = {"a": [YES, NO, YES, NO, YES], "b": [NO, YES, YES, YES, NO]}
RECEIPT_PURPOSE = "votes.receipt"
SERVER_START_SECONDS = 90
DATABASE_FILES = ("tocsin.sqlite3", "queue.sqlite3")


@dataclass
class World:
    """One copy of the server: its var/ directory (database, queue, keys), its environment,
    its running `tocsin serve`, its output and the receipts its voters were shown."""

    name: str
    var: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen | None = None
    receipts: list[str] = field(default_factory=list)
    # The PostgreSQL database it uses; its SQLite database is in var/.
    database: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return "".join(
            (self.var.parent / f"{self.name}.{stream}").read_text() for stream in ("out", "err")
        )

    def keys(self) -> dict[str, str]:
        return json.loads((self.var / "development-secrets.json").read_text())

    def receipt_hashes(self) -> list[bytes]:
        """Each receipt's keyed hash, as the server stores it, computed as the attacker
        would: with the keys they seized and the receipt a voter was made to show."""
        key = self.keys()["TOCSIN_BLIND_INDEX_KEY"].encode()
        codes = ["".join(c for c in receipt.lower() if c.isalnum()) for receipt in self.receipts]
        return [
            hmac.new(key, f"{RECEIPT_PURPOSE}:{code}".encode(), hashlib.sha256).hexdigest().encode()
            for code in codes
        ]


def run_tocsin(env: dict[str, str], *args: str) -> str:
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


def build_the_vote(env: dict[str, str]) -> list[str]:
    """Migrate, collect the static files and build the vote; return the ballot links."""
    out = run_tocsin(
        env, "shell", "-c", "from tests.security.seized_ballots_world import build; build()"
    )
    return json.loads(out.strip().splitlines()[-1])["ballots"]


def serve(world: World) -> None:
    """Start the world's `tocsin serve`, its output going to files, as an operator's would."""
    world.port = free_port()
    logs = world.var.parent
    with open(logs / f"{world.name}.out", "w") as out, open(logs / f"{world.name}.err", "w") as err:
        world.process = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", "--port", str(world.port)],
            cwd=REPO,
            env=world.env,
            stdout=out,
            stderr=err,
        )


def wait_until_served(world: World) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert world.process is not None and world.process.poll() is None, world.output()
        try:
            with urllib.request.urlopen(world.base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"tocsin serve did not answer within {SERVER_START_SECONDS} s")


def stop(world: World) -> None:
    if world.process is not None and world.process.poll() is None:
        world.process.terminate()
        try:
            world.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            world.process.kill()
            world.process.wait(timeout=20)


def cast_on_the_page(world: World, link: str, option: int) -> str:
    """Open the ballot link in a fresh browser, choose, cast; return the receipt shown."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with browser.open(world.base + link, timeout=30) as page:
        html = page.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf, html
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf[1], "option": option}).encode()
    with browser.open(world.base + link, data=form, timeout=30) as answer:
        assert answer.status == 200
        html = answer.read().decode()
    receipt = re.search(r'data-testid="receipt">([^<]+)<', html)
    assert receipt, html
    return receipt[1]


def run_two_worlds(root: Path, env_overrides, copy_database=None) -> tuple[World, World, list]:
    """Build the vote once, copy the server into two worlds, serve both, and cast the five
    ballots in each, in the same order with the choices of CHOICES. The servers keep
    running: the attacker seizes a live server.

    A SQLite database is copied with its var/ directory; `copy_database` copies another."""
    first = root / "a" / "var"
    first.mkdir(parents=True)
    links = build_the_vote(tocsin_env(first, **env_overrides("a")))
    if copy_database is not None:
        copy_database()
    worlds = {}
    for name in CHOICES:
        var = root / name / "var"
        if name != "a":
            shutil.copytree(first, var)
        worlds[name] = World(name, var, tocsin_env(var, **env_overrides(name)))
    for world in worlds.values():
        serve(world)
    for world in worlds.values():
        wait_until_served(world)
    for name, world in worlds.items():
        for link, option in zip(links, CHOICES[name], strict=False):
            world.receipts.append(cast_on_the_page(world, link, option))
    return worlds["a"], worlds["b"], links


# What the attacker holds, with each world's fresh randomness masked.


def masked_output(world: World) -> str:
    text = world.output()
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    text = re.sub(r"process \[\d+\]", "process [<pid>]", text)
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+", "<time>", text)


def with_receipts_of(data: bytes, world: World, other: World) -> bytes:
    """Replace `world`'s receipt hashes by `other`'s, cast for cast."""
    for mine, theirs in zip(world.receipt_hashes(), other.receipt_hashes(), strict=True):
        data = data.replace(mine, theirs)
    return data


def blank(data: bytearray, start: int, length: int) -> None:
    data[start : start + length] = bytes(length)


def masked_wal(data: bytes) -> bytes:
    """Blank the salts and checksums of a SQLite WAL file's header and frames."""
    if not data:
        return data
    masked = bytearray(data)
    (page_size,) = struct.unpack(">I", data[8:12])
    blank(masked, 16, 16)
    for frame in range(32, len(data), 24 + page_size):
        blank(masked, frame + 8, 16)
    return bytes(masked)


def masked_shm(data: bytes) -> bytes:
    """Blank the frame checksums, salts and header checksums of both copies of the
    wal-index header at the start of a -shm file."""
    masked = bytearray(data)
    for copy in (0, 48):
        if len(masked) >= copy + 48:
            blank(masked, copy + 24, 24)
    return bytes(masked)


def sorted_sqlite_cell_pointers(data: bytes, pages: set[int]) -> bytes:
    """Sort the cell pointer array of each of these pages of a SQLite database file.

    An index on the receipts' hashes lists its entries in the order of the hashes, which
    are random: the pointers to its cells come in a different order in each world, while
    the cells themselves lie in the order they were written, the order of the casts."""
    masked = bytearray(data)
    (page_size,) = struct.unpack(">H", data[16:18])
    for page in pages:
        start = (page - 1) * page_size + (100 if page == 1 else 0)
        kind, cells = masked[start], struct.unpack(">H", masked[start + 3 : start + 5])[0]
        array = start + (8 if kind in (10, 13) else 12)
        pointers = sorted(masked[array + 2 * i : array + 2 * i + 2] for i in range(cells))
        masked[array : array + 2 * cells] = b"".join(pointers)
    return bytes(masked)


def sqlite_receipt_index_pages(var: Path) -> set[int]:
    """The pages of the indexes on the receipts table."""
    with copy_of_the_database(var) as db:
        indexes = {
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'votes_receipt'"
            )
        }
        return {
            page
            for owner, page in db.execute("SELECT name, pageno FROM dbstat")
            if owner in indexes
        }


def seized_sqlite(world: World, other: World) -> dict[str, bytes | None]:
    """Every file of the database and the queue, raw, as a seized disk gives them, with
    `world`'s randomness replaced by `other`'s."""
    files: dict[str, bytes | None] = {}
    receipt_index = sqlite_receipt_index_pages(world.var)
    for database in DATABASE_FILES:
        for suffix, mask in (("", bytes), ("-wal", masked_wal), ("-shm", masked_shm)):
            path = world.var / f"{database}{suffix}"
            raw = path.read_bytes() if path.exists() else None
            files[path.name] = None if raw is None else mask(with_receipts_of(raw, world, other))
    database = files["tocsin.sqlite3"]
    assert database is not None
    files["tocsin.sqlite3"] = sorted_sqlite_cell_pointers(database, receipt_index)
    files["keys"] = json.dumps(world.keys()).encode()
    files["output"] = masked_output(world).encode()
    return files


@contextlib.contextmanager
def copy_of_the_database(var: Path):
    """Open a copy of the seized database (its file and its WAL), never the live one."""
    import sqlite3

    copy = var.parent / "inspected.sqlite3"
    shutil.copyfile(var / "tocsin.sqlite3", copy)
    if (var / "tocsin.sqlite3-wal").exists():
        shutil.copyfile(var / "tocsin.sqlite3-wal", f"{copy}-wal")
    db = sqlite3.connect(copy)
    try:
        yield db
    finally:
        db.close()
        for path in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            path.unlink(missing_ok=True)


def sqlite_page_owners(var: Path) -> dict[int, str]:
    """Which table or index each page of the database belongs to (for failure messages)."""
    with copy_of_the_database(var) as db:
        return {page: name for name, page in db.execute("SELECT name, pageno FROM dbstat")}


def differing_pages(first: bytes, second: bytes, page_size: int, header: int, frame: int):
    """Page numbers of the pages (or WAL frames, each naming its page) that differ."""
    pages = set()
    for start in range(header, min(len(first), len(second)), frame):
        if first[start : start + frame] != second[start : start + frame]:
            pages.add(
                struct.unpack(">I", first[start : start + 4])[0]
                if frame != page_size
                else start // page_size + 1
            )
    return pages


def sqlite_differences(a: World, seized_a: dict, seized_b: dict) -> list[str]:
    """Say what differs between the two seized worlds: which tables' pages, or which file."""
    found = []
    owners = sqlite_page_owners(a.var)
    for name in sorted(seized_a.keys() | seized_b.keys()):
        first, second = seized_a.get(name), seized_b.get(name)
        if first == second:
            continue
        if first is None or second is None or len(first) != len(second):
            found.append(f"{name}: {len(first or b'')} bytes against {len(second or b'')}")
        elif name == "tocsin.sqlite3":
            size = struct.unpack(">H", first[16:18])[0]
            pages = differing_pages(first, second, size, 0, size)
            found.append(f"{name}: pages of {sorted({owners.get(p, '?') for p in pages})}")
        elif name == "tocsin.sqlite3-wal":
            size = struct.unpack(">I", first[8:12])[0]
            pages = differing_pages(first, second, size, 32, size + 24)
            found.append(f"{name}: frames of {sorted({owners.get(p, '?') for p in pages})}")
        else:
            found.append(f"{name} differs")
    return found


@pytest.fixture(scope="module")
def sqlite_worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("seized-sqlite")
    first = second = None
    try:
        first, second, links = run_two_worlds(root, lambda name: {})
        yield first, second, links
    finally:
        for world in (first, second):
            if world is not None:
                stop(world)


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite files; the PostgreSQL pass seizes its own"
)


@sqlite_only
def test_two_worlds_with_swapped_choices_leave_the_same_sqlite_files_logs_and_queue(
    sqlite_worlds,
):
    a, b, _links = sqlite_worlds

    seized_a, seized_b = seized_sqlite(a, a), seized_sqlite(b, a)

    differing = sqlite_differences(a, seized_a, seized_b)
    assert not differing, "these differ: " + "; ".join(differing)
    assert seized_a == seized_b


@sqlite_only
def test_the_seized_sqlite_files_do_say_who_voted_and_the_running_count(sqlite_worlds):
    """The attacker's reading is not blind: the roll says who has voted, as it must, and
    the box the running totals (hidden from every screen until the close)."""
    a, _b, _links = sqlite_worlds
    with copy_of_the_database(a.var) as db:
        (waiting,) = db.execute(
            "SELECT display_name FROM votes_pendingballot JOIN accounts_person "
            "ON accounts_person.id = person_id"
        ).fetchone()
        (counts,) = db.execute("SELECT counts FROM votes_tally").fetchone()

    assert waiting == "Farah Ali"
    assert [int(count) for count in counts.split(",")] == [3, 2]


@sqlite_only
def test_the_server_log_names_no_voter(sqlite_worlds):
    """Depends on the access log's redaction (tocsin/core/logs.py, issue 13 item 3): a
    ballot link in the log would tell, with the keys, whose ballot each line is."""
    a, _b, links = sqlite_worlds
    output = a.output()

    for link in links:
        token = link.strip("/").rsplit("/", 1)[-1]
        for form in (token, urllib.parse.quote(token, safe=""), token[:12]):
            assert form not in output


# PostgreSQL: every page of every votes relation, through pageinspect.

PAGE_SIZE = 8192
FORKS = ("main", "fsm", "vm")


def postgres_url(database: str) -> str:
    parts = urllib.parse.urlsplit(os.environ["TOCSIN_TEST_DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def superuser(database: str = "postgres"):
    import psycopg

    return psycopg.connect(postgres_url(database), autocommit=True)


def votes_relations(cursor) -> list[tuple[str, str]]:
    """Every table and index of the votes app, with their TOAST tables and indexes: the
    name pageinspect reads each by, and a name that is the same in both worlds."""
    cursor.execute(
        """
        WITH votes AS (
            SELECT oid, relname, reltoastrelid FROM pg_class
            WHERE relname LIKE 'votes\\_%%' AND relkind IN ('r', 'i')
        ), toast AS (
            SELECT t.oid, 'toast of ' || v.relname AS relname FROM votes v
            JOIN pg_class t ON t.oid = v.reltoastrelid
            UNION ALL
            SELECT i.indexrelid, 'toast index of ' || v.relname FROM votes v
            JOIN pg_index i ON i.indrelid = v.reltoastrelid
        )
        SELECT oid::regclass::text, relname FROM votes UNION ALL
        SELECT oid::regclass::text, relname FROM toast ORDER BY 2
        """
    )
    return cursor.fetchall()


def raw_pages(cursor, relation: str) -> dict[tuple[str, int], bytes]:
    pages = {}
    for fork in FORKS:
        cursor.execute("SELECT pg_relation_size(%s::regclass, %s)", [relation, fork])
        (size,) = cursor.fetchone()
        for block in range(size // PAGE_SIZE):
            cursor.execute("SELECT get_raw_page(%s, %s, %s)", [relation, fork, block])
            pages[fork, block] = bytes(cursor.fetchone()[0])
    return pages


def transaction_ids(cursor, relation: str, pages: dict) -> set[int]:
    """Every xmin and xmax on the relation's heap pages (dead tuples included) and every
    page's prune xid: the transaction ids the attacker reads."""
    found = set()
    for (fork, _block), page in pages.items():
        if fork != "main":
            continue
        cursor.execute("SELECT prune_xid::text::bigint FROM page_header(%s)", [page])
        found.add(cursor.fetchone()[0])
        cursor.execute(
            "SELECT amname FROM pg_class JOIN pg_am ON pg_am.oid = relam "
            "WHERE pg_class.oid = %s::regclass",
            [relation],
        )
        if cursor.fetchone()[0] != "heap":
            continue
        cursor.execute(
            "SELECT t_xmin::text::bigint, t_xmax::text::bigint FROM heap_page_items(%s)", [page]
        )
        for xmin, xmax in cursor.fetchall():
            found.update(xid for xid in (xmin, xmax) if xid is not None)
    return {xid for xid in found if xid > 2}  # 0 invalid, 1 bootstrap, 2 frozen


def receipt_indexes(cursor) -> set[str]:
    cursor.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass('votes_receipt')"
    )
    return {name for (name,) in cursor.fetchall()}


def sorted_line_pointers(page: bytes) -> bytes:
    """Sort a B-tree page's line pointers. An index on the receipts' hashes lists its
    entries in the order of the hashes, which are random; the entries themselves lie in
    the order they were written, the order of the casts."""
    masked = bytearray(page)
    (lower,) = struct.unpack_from("<H", page, 12)
    pointers = sorted(page[offset : offset + 4] for offset in range(24, lower, 4))
    masked[24:lower] = b"".join(pointers)
    return bytes(masked)


def seized_postgres(world: World, other: World) -> dict:
    """Every page of every votes relation, with LSNs and checksums blanked, transaction ids
    replaced by their rank, and `world`'s receipt hashes replaced by `other`'s."""
    with superuser(world.database) as db, db.cursor() as cursor:
        relations = votes_relations(cursor)
        pages = {name: raw_pages(cursor, relation) for relation, name in relations}
        xids = set()
        for relation, name in relations:
            xids |= transaction_ids(cursor, relation, pages[name])
        by_hash = receipt_indexes(cursor)
    for relation, name in relations:
        if relation in by_hash:
            pages[name] = {
                (fork, block): sorted_line_pointers(page) if fork == "main" and block else page
                for (fork, block), page in pages[name].items()
            }
    rank = {xid: 0x7F000000 + n for n, xid in enumerate(sorted(xids))}
    seized: dict = {"transactions": len(rank)}
    for name, relation_pages in pages.items():
        for (fork, block), page in relation_pages.items():
            data = bytearray(with_receipts_of(page, world, other))
            blank(data, 0, 10)  # pd_lsn, pd_checksum
            for offset in range(12, PAGE_SIZE, 4):
                (word,) = struct.unpack_from("<I", data, offset)
                if word in rank:
                    struct.pack_into("<I", data, offset, rank[word])
            seized[name, fork, block] = bytes(data)
    seized["output"] = masked_output(world)
    seized["queue"] = with_receipts_of((world.var / "queue.sqlite3").read_bytes(), world, other)
    return seized


@pytest.fixture(scope="module")
def postgres_worlds(tmp_path_factory):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    stem = urllib.parse.urlsplit(os.environ["TOCSIN_TEST_DATABASE_URL"]).path.strip("/")
    names = {name: f"{stem}_seized_{worker}_{name}" for name in CHOICES}
    root = tmp_path_factory.mktemp("seized-postgres")
    first = second = None

    def overrides(name):
        return {"DATABASE_URL": postgres_url(names[name])}

    with superuser() as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{names["a"]}"')
    with superuser(names["a"]) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")

    def copy_database():
        with superuser() as admin:
            admin.execute(f'CREATE DATABASE "{names["b"]}" TEMPLATE "{names["a"]}"')

    try:
        first, second, links = run_two_worlds(root, overrides, copy_database)
        first.database, second.database = names["a"], names["b"]
        yield first, second, links
    finally:
        for world in (first, second):
            if world is not None:
                stop(world)
        with superuser() as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_two_worlds_with_swapped_choices_leave_the_same_postgresql_pages(postgres_worlds):
    a, b, _links = postgres_worlds

    seized_a, seized_b = seized_postgres(a, a), seized_postgres(b, a)

    differing = sorted(
        {
            str(key[:2])
            for key in seized_a.keys() | seized_b.keys()
            if seized_a.get(key) != seized_b.get(key)
        }
    )
    assert not differing, "these differ: " + ", ".join(differing)
