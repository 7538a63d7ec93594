"""New secrets for a Tocsin environment. Needs no settings, so it runs before they exist."""

import secrets

from cryptography.fernet import Fernet


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


def new_vapid_text() -> str:
    from tocsin.delivery.vapid import generate_vapid_keys

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
