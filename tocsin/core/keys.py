"""Tocsin's keys: new ones, a check that the configured ones open the stored data, and the
rotation of the stored data to the newest key.

Making keys needs no settings, so `tocsin generate-key` runs before they exist; the check
and the rotation read the database.

The check (`key_problems`) runs at the start of every command that serves or works (through
the system checks, tocsin/core/checks.py) and after `tocsin restore`: a wrong or lost key
otherwise shows up as a 500 on every page that decrypts, and a wrong blind-index key as
nobody found by email or phone, so no admin can sign in.

The rotation (`rotate_stored_data`) works in small transactions and writes a value back only
while the row still holds the token it read (compare-and-swap): a change made while it runs
is never reverted, and a row that changed is read again and rotated from what it now holds.
"""

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, OperationalError, connection, transaction

from tocsin.core import contacts
from tocsin.core.crypto import (
    EncryptedBinaryField,
    EncryptedTextField,
    blind_index,
    decrypt,
    encrypted_fields,
    load_keys,
    opens,
    rotate,
    under_newest_key,
)

# Rows rotated in one transaction; fewer where a row holds a photo (up to megabytes).
ROWS_PER_TRANSACTION = 100
PHOTOS_PER_TRANSACTION = 10
# Times a row that keeps changing under the rotation is read again before the next pass.
ROW_ATTEMPTS = 5
# Passes over the data: the first rotates, the next find what was written under an old key
# while it ran (a server not yet restarted with the new key) and rotate that too.
PASSES = 3
# Contacts whose blind index is recomputed to check TOCSIN_BLIND_INDEX_KEY.
INDEX_SAMPLE = 20

ENCRYPTION_KEYS_WRONG = (
    "No key in TOCSIN_ENCRYPTION_KEYS opens the data this database holds ({where}). Set "
    "TOCSIN_ENCRYPTION_KEYS to the keys it was written with, newest first: the value in "
    "your credentials file, or in the keys file `tocsin backup --keys` wrote. While "
    "rotating, keep the old key after the new one until `tocsin rotate-keys` has finished."
)
BLIND_INDEX_KEY_WRONG = (
    "TOCSIN_BLIND_INDEX_KEY is not the key this database's look-ups were made with: none of "
    "its latest contacts is found by its own address, so nobody could sign in or be found "
    "by email or phone. Set TOCSIN_BLIND_INDEX_KEY to the value it had when the people were "
    "stored (it never changes once people are stored)."
)


def new_encryption_key() -> str:
    return Fernet.generate_key().decode()


def new_secrets_text() -> str:
    return (
        "# New secrets for Tocsin. Keep them out of version control and back them up:\n"
        "# data encrypted under a lost key, or indexed under a lost blind-index key,\n"
        "# cannot be read or found again.\n"
        f"TOCSIN_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "# A list, newest first. To rotate, put a new key (`tocsin generate-key\n"
        "# --encryption-key`) before the old ones, restart, run `tocsin rotate-keys`.\n"
        f"TOCSIN_ENCRYPTION_KEYS={new_encryption_key()}\n"
        "# Never changes once people are stored: their look-ups depend on it.\n"
        f"TOCSIN_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}"
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    """Return the base64url uncompressed point that browsers take as applicationServerKey."""
    return b64url(
        private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def generate_vapid_keys() -> dict[str, str]:
    """Return a new key pair as the two environment variables that hold it."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    raw = private_key.private_numbers().private_value.to_bytes(32, "big")
    return {
        "TOCSIN_VAPID_PRIVATE_KEY": b64url(raw),
        "TOCSIN_VAPID_PUBLIC_KEY": public_key_of(private_key),
    }


def new_vapid_text() -> str:
    keys = generate_vapid_keys()
    return (
        "# A new Web Push (VAPID) key pair. Changing it orphans existing subscriptions.\n"
        + "\n".join(f"{name}={value}" for name, value in keys.items())
    )


def print_new_secrets(argv: list[str]) -> None:
    if "--vapid" in argv:
        print(new_vapid_text())
    else:
        print(new_encryption_key() if "--encryption-key" in argv else new_secrets_text())


class StoredTokens:
    """The encrypted columns of one table, read and written as stored (Fernet tokens): the
    model's fields would decrypt them on the way out and encrypt them again on the way in.

    A row is a tuple: its primary key, then one token (or "" or None) per column.
    """

    def __init__(self, model, fields: list[EncryptedTextField], using=connection) -> None:
        quote = using.ops.quote_name
        self.using = using
        self.label = model._meta.label
        self.names = [f"{model._meta.label}.{field.name}" for field in fields]
        self.table = quote(model._meta.db_table)
        self.pk = quote(model._meta.pk.column)
        self.columns = [quote(field.column) for field in fields]
        self.batch = (
            PHOTOS_PER_TRANSACTION
            if any(isinstance(field, EncryptedBinaryField) for field in fields)
            else ROWS_PER_TRANSACTION
        )

    def _select(self, where: str, params: list, order: str = "", limit: int = 0) -> list[tuple]:
        query = f"SELECT {', '.join([self.pk, *self.columns])} FROM {self.table}"  # noqa: S608
        query += f" WHERE {where}" if where else ""
        query += f" ORDER BY {self.pk} {order}" if order else ""
        query += f" LIMIT {limit}" if limit else ""
        with self.using.cursor() as cursor:
            # Names come from the models and are quoted; values are parameters.
            cursor.execute(query, params)
            return cursor.fetchall()

    def rows_after(self, last) -> list[tuple]:
        """Return the next batch of rows, in primary-key order, after the key `last`."""
        if last is None:
            return self._select("", [], order="ASC", limit=self.batch)
        return self._select(f"{self.pk} > %s", [last], order="ASC", limit=self.batch)

    def row(self, pk) -> tuple | None:
        rows = self._select(f"{self.pk} = %s", [pk])
        return rows[0] if rows else None

    def newest(self) -> tuple | None:
        """Return the latest row that holds an encrypted value."""
        where = " OR ".join(f"{column} <> ''" for column in self.columns)
        rows = self._select(where, [], order="DESC", limit=1)
        return rows[0] if rows else None

    def swap(self, pk, old: dict[int, str], new: dict[int, str]) -> bool:
        """Write the new tokens into the row if it still holds the old ones; return whether
        it did."""
        assignments = ", ".join(f"{self.columns[i]} = %s" for i in new)
        conditions = " AND ".join(f"{self.columns[i]} = %s" for i in old)
        with self.using.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET {assignments} WHERE {self.pk} = %s AND {conditions}",  # noqa: S608
                [*new.values(), pk, *old.values()],
            )
            return cursor.rowcount == 1


def stored_tokens(using=connection) -> list[StoredTokens]:
    return [StoredTokens(model, fields, using) for model, fields in encrypted_fields()]


def key_problems(using=connection) -> dict[str, str]:
    """Return, by setting, what is wrong with the configured keys for the data the database
    holds; nothing when they open it, or when nothing is stored yet.

    The latest encrypted row of every table must open with TOCSIN_ENCRYPTION_KEYS, and one
    of the latest confirmed contacts must be found by the blind index of its own address.
    """
    try:
        load_keys()
    except ImproperlyConfigured as error:
        return {"TOCSIN_ENCRYPTION_KEYS": str(error)}
    unreadable = []
    for table in stored_tokens(using):
        try:
            row = table.newest()
        except DatabaseError:
            continue  # A table a pending migration adds: nothing is stored in it yet.
        if row is not None:
            tokens = zip(table.names, row[1:], strict=True)
            unreadable += [name for name, token in tokens if token and not opens(token)]
    if unreadable:
        shown = ", ".join(unreadable[:3]) + (", …" if len(unreadable) > 3 else "")
        return {"TOCSIN_ENCRYPTION_KEYS": ENCRYPTION_KEYS_WRONG.format(where=shown)}
    sample = latest_contacts(using)
    if sample and not any(found_by_own_index(*contact) for contact in sample):
        return {"TOCSIN_BLIND_INDEX_KEY": BLIND_INDEX_KEY_WRONG}
    return {}


def latest_contacts(using=connection) -> list[tuple[str, str, str]]:
    """Return (channel, address token, blind index) of the latest confirmed contacts by
    email, SMS or Signal."""
    from django.apps import apps

    model = apps.get_model("accounts", "ContactPoint")
    quote = using.ops.quote_name
    column = {field.name: quote(field.column) for field in model._meta.concrete_fields}
    channel = column["channel"]
    query = (
        f"SELECT {channel}, {column['address']}, {column['address_index']} "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} "
        f"WHERE {column['confirmed_at']} IS NOT NULL AND {channel} IN (%s, %s, %s) "
        f"ORDER BY {column['id']} DESC LIMIT {INDEX_SAMPLE}"
    )
    try:
        with using.cursor() as cursor:
            cursor.execute(query, [contacts.EMAIL, contacts.SMS, contacts.SIGNAL])
            return cursor.fetchall()
    except DatabaseError:
        return []


def found_by_own_index(channel: str, token: str, index: str) -> bool:
    """Whether the blind index of the stored address, made with TOCSIN_BLIND_INDEX_KEY, is the
    one stored beside it (a claim on someone else's address has a random one)."""
    try:
        address = decrypt(token)
    except InvalidToken:
        return False
    return blind_index(contacts.index_key(channel, address), channel) == index


@dataclass
class Rotated:
    """What one pass did to one table."""

    label: str
    rows: int = 0  # rows written under the newest key
    reread: int = 0  # rows that changed while being rotated, read again
    left: int = 0  # rows that kept changing, left to the next pass

    def add(self, other: "Rotated") -> None:
        self.rows += other.rows
        self.reread += other.reread
        self.left += other.left


class RotationStopped(Exception):
    """A stored value opens with no configured key, or values keep arriving under an old one."""


def rotate_stored_data(report: Callable[[int, Rotated], None]) -> None:
    """Re-encrypt every stored value that is not under the newest key, pass after pass,
    until a pass finds none; `report(pass_number, rotated)` hears of each table.

    Raise RotationStopped when a value opens with no key, or when values are still being
    written under an old key after PASSES passes.
    """
    for number in range(1, PASSES + 1):
        found = 0
        for table in stored_tokens():
            rotated = rotate_table(table)
            found += rotated.rows + rotated.left
            report(number, rotated)
        if found == 0:
            return
    raise RotationStopped(
        f"After {PASSES} passes, values are still being written under an old key: a `tocsin "
        "serve` or `tocsin worker` still runs with the old TOCSIN_ENCRYPTION_KEYS. Restart "
        "every one of them with the new key first, then run `tocsin rotate-keys` again; keep "
        "the old keys until it finishes."
    )


def rotate_table(table: StoredTokens) -> Rotated:
    """Rotate one table's rows in primary-key order, in a small transaction per batch."""
    rotated = Rotated(label=table.label)
    last = None
    while True:
        started = time.monotonic()
        try:
            rows = rotate_batch(table, last, rotated)
        except OperationalError:
            # The database gave up on the batch (a deadlock with a writer, a lock held too
            # long) and undid it: do it again once.
            rows = rotate_batch(table, last, rotated)
        if len(rows) < table.batch:
            return rotated
        last = rows[-1][0]
        if table.using.vendor == "sqlite":
            # SQLite lets one writer in at a time and queues none: a writer that waits
            # retries now and then, and would never find the lock free between two batches.
            # Leave it free as long as the batch held it.
            time.sleep(time.monotonic() - started)


def rotate_batch(table: StoredTokens, last, rotated: Rotated) -> list[tuple]:
    """Rotate the batch of rows after the key `last` in one transaction; return its rows."""
    counts = Rotated(label=table.label)
    with transaction.atomic():
        rows = table.rows_after(last)
        for row in rows:
            rotate_row(table, row, counts)
    rotated.add(counts)
    return rows


def rotate_row(table: StoredTokens, row: tuple, counts: Rotated) -> None:
    """Write the row's tokens back under the newest key, unless it changed since it was
    read: then read it again and rotate what it holds now."""
    for _attempt in range(ROW_ATTEMPTS):
        pk, tokens = row[0], row[1:]
        old = {i: token for i, token in enumerate(tokens) if token and not under_newest_key(token)}
        if not old:
            return
        try:
            new = {i: rotate(token) for i, token in old.items()}
        except InvalidToken:
            unopened = [table.names[i] for i, token in old.items() if not opens(token)]
            raise RotationStopped(
                f"{', '.join(unopened)} of row {pk} opens with no key in "
                "TOCSIN_ENCRYPTION_KEYS: keep every key the data was written with in the list "
                "until the rotation has finished."
            ) from None
        if table.swap(pk, old, new):
            counts.rows += 1
            return
        counts.reread += 1
        fresh = table.row(pk)
        if fresh is None:
            return  # Deleted meanwhile: nothing left to rotate.
        row = fresh
    counts.left += 1
