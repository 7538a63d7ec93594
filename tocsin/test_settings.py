"""Settings for the test suite: the same as production code paths, on test databases.

TOCSIN_TEST_DATABASE_URL switches the suite to PostgreSQL; otherwise SQLite.
"""

import os

os.environ.setdefault("TOCSIN_ENV", "test")
# No test may reach the internet: no map tiles unless a test serves its own archive.
os.environ["TOCSIN_MAP_TILES_URL"] = ""
os.environ["TOCSIN_MAP_TILES_FILE"] = ""
os.environ.setdefault(
    "TOCSIN_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from tocsin.settings import *  # noqa: F403
from tocsin.settings import database_from_url

_test_database_url = os.environ.get("TOCSIN_TEST_DATABASE_URL", "")
if os.environ.get("TOCSIN_TEST_USE_POSTGRES") == "1" and _test_database_url:
    DATABASES = {"default": database_from_url(_test_database_url)}
else:
    DATABASES = {"default": database_from_url("sqlite:///" + str(VAR_DIR / "test.sqlite3"))}  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405

# Jobs run in-process unless a test runs a real worker on a real queue.
from tocsin.core.queue import build_huey  # noqa: E402

# Each xdist worker has its own queue, so tests that run a real consumer don't meet. The
# PostgreSQL pass puts the queue (and the shared rate limits) on Redis when it is given.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TOCSIN_QUEUE_NAME = f"tocsin-test-{_WORKER}"
_redis = os.environ.get("TOCSIN_TEST_REDIS_URL", "")
if os.environ.get("TOCSIN_TEST_USE_POSTGRES") == "1" and _redis:
    TOCSIN_QUEUE_URL = _redis
else:
    TOCSIN_QUEUE_URL = f"sqlite:///{VAR_DIR / f'queue-{_WORKER}.sqlite3'}"  # noqa: F405
HUEY = build_huey(TOCSIN_QUEUE_URL, immediate=True, name=TOCSIN_QUEUE_NAME)
# Argon2 stays (it is what production uses), with the cheapest parameters the tests allow.
PASSWORD_HASHERS = ["tocsin.core.hashers.FastArgon2PasswordHasher"]
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns on every request when STATIC_ROOT does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# A feature that lives only under tests/, to show that a new kind of alert is added in its
# own app (tests/kindapp, decision 0026).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.kindapp"]  # noqa: F405
