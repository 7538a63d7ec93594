"""Tocsin's one settings module. Every value comes from the environment; see .env.example."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from tocsin.core.consumers import lane_threads
from tocsin.core.env import (
    development_secrets,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_secret,
    env_str,
    secret_problems,
)
from tocsin.core.languages import EXTRA_LANG_INFO
from tocsin.core.queue import build_huey

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TOCSIN_VAR_DIR", str(BASE_DIR / "var"))).resolve()

# "production" refuses to start without real secrets, or with a demo, default or placeholder
# one (see the end of this file); "development" (the default, used by `make demo`) generates
# its own under var/.
TOCSIN_ENV = env_str("TOCSIN_ENV", "development")
if TOCSIN_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("TOCSIN_ENV must be production, development or test.")
PRODUCTION = TOCSIN_ENV == "production"

# Secrets are read from the environment or, to keep them off the disk that holds the data,
# from systemd's $CREDENTIALS_DIRECTORY (LoadCredential=) or this file of NAME=value lines.
TOCSIN_CREDENTIALS_FILE = env_str("TOCSIN_CREDENTIALS_FILE")

_KEYS = ("TOCSIN_SECRET_KEY", "TOCSIN_ENCRYPTION_KEYS", "TOCSIN_BLIND_INDEX_KEY")
if PRODUCTION:
    _missing = [name for name in _KEYS if not env_secret(name)]
    _missing += [name for name in ("TOCSIN_ALLOWED_HOSTS", "TOCSIN_BASE_URL") if not env_str(name)]
    if _missing:
        # SystemExit, not ImproperlyConfigured: manage.py swallows the latter on first
        # import and retries, printing the message twice under a traceback.
        raise SystemExit(
            "Tocsin will not start in production without: "
            + ", ".join(_missing)
            + ". Set them in the environment or the credentials file (see .env.example)."
        )
    _secrets: dict[str, str] = {}
else:
    _secrets = development_secrets(VAR_DIR)


def _secret(name: str) -> str:
    return env_secret(name) or _secrets[name]


SECRET_KEY = _secret("TOCSIN_SECRET_KEY")
# Newest key first: data is written with the first and read with any, so keys rotate.
TOCSIN_ENCRYPTION_KEYS = [k.strip() for k in _secret("TOCSIN_ENCRYPTION_KEYS").split(",") if k]
TOCSIN_BLIND_INDEX_KEY = _secret("TOCSIN_BLIND_INDEX_KEY")

DEBUG = env_bool("TOCSIN_DEBUG", default=False)
TOCSIN_BASE_URL = env_str("TOCSIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list(
    "TOCSIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", urlsplit(TOCSIN_BASE_URL).hostname or ""]
)
CSRF_TRUSTED_ORIGINS = [TOCSIN_BASE_URL]

INSTALLED_APPS = [
    # Project apps first, so their templates and commands (createsuperuser) win.
    "tocsin.core",
    "tocsin.accounts",
    "tocsin.audit",
    "tocsin.joining",
    "tocsin.staff",
    "tocsin.imports",
    "tocsin.api",
    "tocsin.delivery",
    "tocsin.response",
    "tocsin.hotline",
    "tocsin.pledges",
    "tocsin.campaigns",
    "tocsin.votes",
    "tocsin.structure",
    "tocsin.clauses",
    "tocsin.playbooks",
    "tocsin.coalition",
    "tocsin.sharing",
    "tocsin.exchange",
    "tocsin.demo",
    # The `bench` command and its scenarios (docs/benchmarks.md); no models.
    "tocsin.bench",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "huey.contrib.djhuey",
    # The API docs page's Swagger UI, served from the installed package, not a CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database or queue that is down answers 503 with Retry-After (decision 0016).
    "tocsin.core.outage.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tocsin.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tocsin.accounts.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tocsin.urls"
ASGI_APPLICATION = "tocsin.asgi.application"
WSGI_APPLICATION = "tocsin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tocsin.core.context_processors.tocsin",
            ],
        },
    }
]

# Database: SQLite in WAL mode under var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tocsin.sqlite3'}")


# PostgreSQL connections come from a pool in each process (decision 0024): at most
# TOCSIN_DB_POOL_MAX open at once, whatever the load; a request that finds them all busy
# waits up to TOCSIN_DB_POOL_TIMEOUT seconds for one, then answers 503 (decision 0016).
TOCSIN_DB_POOL_MIN = env_int("TOCSIN_DB_POOL_MIN", 2)
TOCSIN_DB_POOL_MAX = env_int("TOCSIN_DB_POOL_MAX", 10)
TOCSIN_DB_POOL_TIMEOUT = env_int("TOCSIN_DB_POOL_TIMEOUT", 5)
if not 0 <= TOCSIN_DB_POOL_MIN <= TOCSIN_DB_POOL_MAX or TOCSIN_DB_POOL_MAX < 1:
    raise ImproperlyConfigured(
        "TOCSIN_DB_POOL_MIN must be between 0 and TOCSIN_DB_POOL_MAX, which must be at least 1."
    )
if TOCSIN_DB_POOL_TIMEOUT < 1:
    raise ImproperlyConfigured("TOCSIN_DB_POOL_TIMEOUT must be at least 1 (seconds).")


def database_from_url(url: str) -> dict[str, Any]:
    # Connections are not kept by a request's thread (CONN_MAX_AGE 0, as Django's pool
    # requires): under ASGI each request runs in a thread of its own, and a kept
    # connection outlived it, one per request, until PostgreSQL refused more.
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        # A server that does not answer is an outage (503), not a request hanging for minutes.
        options.setdefault("connect_timeout", 5)
        # The pool checks a connection before handing it out: after a PostgreSQL restart
        # the next request gets a fresh one instead of failing (decision 0016).
        config["CONN_HEALTH_CHECKS"] = True
        options["pool"] = {
            "min_size": TOCSIN_DB_POOL_MIN,
            "max_size": TOCSIN_DB_POOL_MAX,
            "timeout": TOCSIN_DB_POOL_TIMEOUT,
            # A pool connection idle this long is closed, down to min_size.
            "max_idle": 300,
        }
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: Huey on a SQLite file by default; redis:// or postgres:// to scale out.
TOCSIN_QUEUE_URL = env_str("TOCSIN_QUEUE_URL", f"sqlite:///{VAR_DIR / 'queue.sqlite3'}")
TOCSIN_QUEUE_IMMEDIATE = env_bool("TOCSIN_QUEUE_IMMEDIATE", default=False)
# Installations sharing one Redis or PostgreSQL server keep their queues apart by name.
TOCSIN_QUEUE_NAME = env_str("TOCSIN_QUEUE_NAME", "tocsin")
HUEY = build_huey(TOCSIN_QUEUE_URL, immediate=TOCSIN_QUEUE_IMMEDIATE, name=TOCSIN_QUEUE_NAME)
# The worker's threads per lane (decision 0015): the general lane's jobs, then each
# channel's sends; a lane not named here gets one thread.
TOCSIN_WORKER_THREADS = lane_threads(
    "TOCSIN_WORKER_THREADS",
    env_str("TOCSIN_WORKER_THREADS", "general=2,signal=1,sms=2,email=2,push=2"),
)

AUTH_USER_MODEL = "accounts.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tocsin.accounts.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
# A link to choose one's password (a reset or an admin's invitation) works for a day.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sign-in failures slow the guesser down and lock nobody out (decision 0014). django-axes
# records each failure per account (its email's blind index) and address, and remembers it
# for a day; tocsin.staff.throttle decides from those records, so axes itself never locks.
AXES_FAILURE_LIMIT = env_int("TOCSIN_LOGIN_FAILURE_LIMIT", 5)
AXES_LOCK_OUT_AT_FAILURE = False
AXES_COOLOFF_TIME = 24  # hours
# Per account *and* address: an attacker slows only their own address, and a union hall's
# volunteers behind one public IP are not slowed by each other's failures.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# An IPv6 client counts by its /64, which one person can fill with addresses at will.
AXES_CLIENT_IP_CALLABLE = "tocsin.staff.throttle.client_address"
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
# Never write what was typed into the user name box to the database or the logs in plain text.
AXES_SENSITIVE_PARAMETERS = ["password", "email", "code"]
AXES_USERNAME_CALLABLE = "tocsin.accounts.backends.axes_username"
# Failures from many addresses on one account (each address counting at most
# AXES_FAILURE_LIMIT) past which a password alone waits; a password with a code does not.
TOCSIN_SIGN_IN_ACCOUNT_LIMIT = 4 * AXES_FAILURE_LIMIT
# The first wait in seconds, doubling with each further failure, up to the longest.
TOCSIN_SIGN_IN_FIRST_WAIT = 15
TOCSIN_SIGN_IN_LONGEST_WAIT = 15 * 60

OTP_TOTP_ISSUER = "Tocsin"

# The languages Tocsin speaks, the first being the default: each needs a catalog per app
# (tocsin/<app>/locale/<code>/) and, if Django does not know it, an entry in
# tocsin.core.languages.EXTRA_LANG_INFO and a formats module (docs/decisions/0019-languages.md).
LANG_INFO.update(EXTRA_LANG_INFO)
TOCSIN_LANGUAGES = env_list("TOCSIN_LANGUAGES", ["en", "es", "so"])
_unknown = [code for code in TOCSIN_LANGUAGES if code not in LANG_INFO]
if _unknown or not TOCSIN_LANGUAGES:
    raise ImproperlyConfigured(
        "TOCSIN_LANGUAGES names languages Django does not know: " + ", ".join(_unknown)
        if _unknown
        else "TOCSIN_LANGUAGES is empty."
    )
LANGUAGE_CODE = TOCSIN_LANGUAGES[0]
LANGUAGES = [(code, LANG_INFO[code]["name"]) for code in TOCSIN_LANGUAGES]
FORMAT_MODULE_PATH = ["tocsin.core.formats"]
LANGUAGE_COOKIE_NAME = "tocsin_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
TIME_ZONE = env_str("TOCSIN_TIME_ZONE", "America/Chicago")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
TOCSIN_MAX_CSV_BYTES = env_int("TOCSIN_MAX_CSV_BYTES", 5 * 1024 * 1024)
TOCSIN_MAX_CSV_ROWS = env_int("TOCSIN_MAX_CSV_ROWS", 20_000)

# Map tiles (decision 0017). By default none: the maps draw sites, pins and areas on a plain
# background with a scale, and no browser asks a third party what its person looks at. An
# operator's PMTiles archive of image tiles (TOCSIN_MAP_TILES_FILE) is served by Tocsin itself
# under /tiles/; TOCSIN_MAP_TILES_URL names another tile server of the operator's instead.
TOCSIN_MAP_TILES_FILE = env_str("TOCSIN_MAP_TILES_FILE")
TOCSIN_MAP_TILES_URL = "" if TOCSIN_MAP_TILES_FILE else env_str("TOCSIN_MAP_TILES_URL")
TOCSIN_MAP_TILES_ATTRIBUTION = env_str(
    "TOCSIN_MAP_TILES_ATTRIBUTION", "© OpenStreetMap contributors"
)
_tiles = urlsplit(TOCSIN_MAP_TILES_URL)
_TILE_ORIGIN = [f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else []

# Security headers. Content-Security-Policy through Django's own middleware.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *_TILE_ORIGIN],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("TOCSIN_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("TOCSIN_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("TOCSIN_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Channels. Email through SMTP; Signal through signal-cli-rest-api; SMS through a
# Twilio-compatible HTTP gateway; Web Push through VAPID.
TOCSIN_SMTP_URL = env_secret("TOCSIN_SMTP_URL", "smtp://127.0.0.1:8025")
_smtp = urlsplit(TOCSIN_SMTP_URL)
# Django 6.1 mailers: send with `django.core.mail.mailers["default"]`.
MAILERS = {
    "default": {
        "BACKEND": env_str("TOCSIN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": _smtp.hostname or "127.0.0.1",
            "port": _smtp.port or 25,
            "username": _smtp.username or "",
            "password": _smtp.password or "",
            "use_tls": _smtp.scheme == "smtp+starttls",
            "use_ssl": _smtp.scheme == "smtps",
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("TOCSIN_EMAIL_FROM", "Tocsin <tocsin@localhost>")
TOCSIN_EMAIL_BATCH = env_int("TOCSIN_EMAIL_BATCH", 200)  # messages per SMTP connection
TOCSIN_EMAIL_RATE = env_int("TOCSIN_EMAIL_RATE", 50)  # messages per second
# Web Push. Outside production an unset key pair is made once under var/ (vapid.json).
TOCSIN_VAPID_PRIVATE_KEY = env_secret("TOCSIN_VAPID_PRIVATE_KEY")
TOCSIN_VAPID_PUBLIC_KEY = env_str("TOCSIN_VAPID_PUBLIC_KEY")
TOCSIN_VAPID_SUBJECT = env_str(
    "TOCSIN_VAPID_SUBJECT", f"mailto:admin@{urlsplit(TOCSIN_BASE_URL).hostname or 'localhost'}"
)
TOCSIN_PUSH_BATCH = env_int("TOCSIN_PUSH_BATCH", 100)  # pushes per job step, on one session
TOCSIN_PUSH_RATE = env_int("TOCSIN_PUSH_RATE", 50)  # pushes per second
TOCSIN_SIGNAL_URL = env_str("TOCSIN_SIGNAL_URL", "http://127.0.0.1:8081")
# The demo's fictional numbers and account stand in outside production only.
TOCSIN_SIGNAL_NUMBER = env_str("TOCSIN_SIGNAL_NUMBER", "" if PRODUCTION else "+15555550100")
TOCSIN_SIGNAL_BATCH = env_int("TOCSIN_SIGNAL_BATCH", 100)  # recipients per request
TOCSIN_SIGNAL_RATE = env_int("TOCSIN_SIGNAL_RATE", 10)  # requests per second
# Seconds a send may take before its answer counts as lost, the send as "unknown" (never
# resent): above signal-cli-rest-api's own 120 s (SIGNAL_CLI_CMD_TIMEOUT) in normal mode.
TOCSIN_SIGNAL_TIMEOUT_SECONDS = env_int("TOCSIN_SIGNAL_TIMEOUT_SECONDS", 130)
TOCSIN_SMS_URL = env_str("TOCSIN_SMS_URL", "http://127.0.0.1:8082")
TOCSIN_SMS_ACCOUNT = env_str("TOCSIN_SMS_ACCOUNT", "" if PRODUCTION else "ACdemo")
# The demo's token is the demo's local gateway's; production has no default.
TOCSIN_SMS_TOKEN = env_secret("TOCSIN_SMS_TOKEN", "" if PRODUCTION else "demo-token")
TOCSIN_SMS_FROM = env_str("TOCSIN_SMS_FROM", "" if PRODUCTION else "+15555550101")
TOCSIN_SMS_RATE = env_int("TOCSIN_SMS_RATE", 10)  # messages per second
# An SMS is cut to this many segments (160 plain characters in one, 153 each once split;
# 70 and 67 for a text with characters beyond GSM-7), keeping its link: each is billed.
TOCSIN_SMS_MAX_SEGMENTS = env_int("TOCSIN_SMS_MAX_SEGMENTS", 2)
# A delivery still unsent this long after an alert goes out hands over to the next channel.
TOCSIN_FALLBACK_SECONDS = env_int("TOCSIN_FALLBACK_SECONDS", 120)
# How many deliveries one send job takes, and how often a job that stopped on an
# unexpected error (the database away) is retried by the queue.
TOCSIN_DELIVERY_CHUNK = env_int("TOCSIN_DELIVERY_CHUNK", 1000)
TOCSIN_DELIVERY_RETRIES = env_int("TOCSIN_DELIVERY_RETRIES", 20)
# A channel that fails: pauses from the first, growing x1.6 to the longest (a server's
# Retry-After is honoured up to it); deliveries still unsent after the give-up time fail
# and hand over to each person's next channel (tocsin/delivery/retries.py).
TOCSIN_DELIVERY_RETRY_FIRST_SECONDS = env_int("TOCSIN_DELIVERY_RETRY_FIRST_SECONDS", 2)
TOCSIN_DELIVERY_RETRY_MAX_SECONDS = env_int("TOCSIN_DELIVERY_RETRY_MAX_SECONDS", 60)
TOCSIN_DELIVERY_GIVE_UP_SECONDS = env_int("TOCSIN_DELIVERY_GIVE_UP_SECONDS", 15 * 60)
# How long a send job holds its rows; a killed worker's rows are sent again after this.
TOCSIN_DELIVERY_LEASE_SECONDS = env_int("TOCSIN_DELIVERY_LEASE_SECONDS", 120)
# How long a job waiting in a busy queue answers for its rows; after that the sweeper gives
# them another job (at once when the channel's queue is empty: the job was lost).
TOCSIN_DELIVERY_HOLD_SECONDS = env_int("TOCSIN_DELIVERY_HOLD_SECONDS", 600)
# How long the link in an alert message opens the alert without an account.
TOCSIN_ALERT_LINK_HOURS = env_int("TOCSIN_ALERT_LINK_HOURS", 72)
# Hours before an event starts that its check-in opens (the QR and the member's button).
TOCSIN_CHECK_IN_OPENS_HOURS = env_int("TOCSIN_CHECK_IN_OPENS_HOURS", 2)
TOCSIN_DEFAULT_COUNTRY_CODE = env_str("TOCSIN_DEFAULT_COUNTRY_CODE", "1")

# The demo. `tocsin demo` sets TOCSIN_DEMO=1 in the processes it starts, which shows what its
# local channel servers received at /demo/outbox/. Never on in production.
TOCSIN_DEMO = env_bool("TOCSIN_DEMO", default=False) and not PRODUCTION
# Where the demo's local Web Push service listens; demo members' subscriptions point at it.
TOCSIN_DEMO_PUSH_URL = env_str("TOCSIN_DEMO_PUSH_URL", "http://127.0.0.1:8083").rstrip("/")

# Joining and member links.
TOCSIN_CONFIRMATION_CODE_MINUTES = env_int("TOCSIN_CONFIRMATION_CODE_MINUTES", 30)
TOCSIN_MEMBER_LINK_HOURS = env_int("TOCSIN_MEMBER_LINK_HOURS", 72)
TOCSIN_MAX_AREA_RADIUS_M = env_int("TOCSIN_MAX_AREA_RADIUS_M", 5000)

# Pledges: the smallest number of signatures that turns a pledge on, and the smallest group
# it may ask (each unit of an "each of them" pledge). Below these a pledge names a person,
# not a group, so they can only be raised (decision 0009).
TOCSIN_PLEDGE_MIN_SIGNATURES = env_int("TOCSIN_PLEDGE_MIN_SIGNATURES", 5)
TOCSIN_PLEDGE_MIN_GROUP = env_int("TOCSIN_PLEDGE_MIN_GROUP", 10)
if TOCSIN_PLEDGE_MIN_SIGNATURES < 5 or TOCSIN_PLEDGE_MIN_GROUP < 10:
    raise ImproperlyConfigured(
        "TOCSIN_PLEDGE_MIN_SIGNATURES and TOCSIN_PLEDGE_MIN_GROUP can only raise the floors "
        "of 5 signatures and a group of 10."
    )

# Rapid response: reports, incidents, verification and broadcast.
# A report joins an open incident of its organization this close, reported this recently.
TOCSIN_INCIDENT_RADIUS_M = env_int("TOCSIN_INCIDENT_RADIUS_M", 500)
TOCSIN_INCIDENT_WINDOW_MINUTES = env_int("TOCSIN_INCIDENT_WINDOW_MINUTES", 90)
# Default radii: verifiers asked around an incident, followed sites alerted around it.
TOCSIN_VERIFY_RADIUS_M = env_int("TOCSIN_VERIFY_RADIUS_M", 2000)
TOCSIN_BROADCAST_RADIUS_M = env_int("TOCSIN_BROADCAST_RADIUS_M", 1000)
# A responder on scene who has not checked in for this long raises an alarm on the console.
TOCSIN_CHECKIN_MINUTES = env_int("TOCSIN_CHECKIN_MINUTES", 20)
# Reports per source (an IPv4 address, an IPv6 /64, a phone number, a member): a burst,
# then this many an hour.
TOCSIN_REPORT_BURST = env_int("TOCSIN_REPORT_BURST", 5)
TOCSIN_REPORTS_PER_HOUR = env_int("TOCSIN_REPORTS_PER_HOUR", 20)
# More anonymous reports than this in a minute, in one organization, is a flood: still
# stored, paged as one. After a page, anonymous new incidents wait this long to page again.
TOCSIN_ORG_REPORTS_PER_MINUTE = env_int("TOCSIN_ORG_REPORTS_PER_MINUTE", 10)
TOCSIN_PAGE_HOLD_SECONDS = env_int("TOCSIN_PAGE_HOLD_SECONDS", 300)
# Photos: the largest upload taken, the most pixels its header may declare (checked before
# decoding), and the longest side kept after resizing.
TOCSIN_MAX_PHOTO_BYTES = env_int("TOCSIN_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
TOCSIN_PHOTO_MAX_PIXELS = env_int("TOCSIN_PHOTO_MAX_PIXELS", 25_000_000)
TOCSIN_PHOTO_MAX_SIDE = env_int("TOCSIN_PHOTO_MAX_SIDE", 1600)
# Seconds between two reads of inbound Signal messages (GET /v1/receive/{number}).
TOCSIN_SIGNAL_POLL_SECONDS = env_int("TOCSIN_SIGNAL_POLL_SECONDS", 5)
# Inbound SMS (a Twilio-style webhook) is signed with the token of the organization whose
# reporting number it was sent to (Settings), never with a token shared by the server.

# Notice channels (Apprise) post only to public addresses; an operator may let them reach
# these networks as well (CIDR, comma-separated), e.g. the union's own Matrix on its LAN.
TOCSIN_NOTICE_ALLOWED_NETWORKS = env_networks("TOCSIN_NOTICE_ALLOWED_NETWORKS")

# The console's live updates (decision 0020): a committed change is signalled to every
# server process (PostgreSQL's LISTEN/NOTIFY, else a file in VAR_DIR); its streams look at
# the database only then. With the signal off, or its listener down, they poll this often.
TOCSIN_CONSOLE_SIGNAL = env_bool("TOCSIN_CONSOLE_SIGNAL", default=True)
TOCSIN_CONSOLE_POLL_SECONDS = env_int("TOCSIN_CONSOLE_POLL_SECONDS", 1)

if PRODUCTION:
    _problems = secret_problems(
        {
            "TOCSIN_SECRET_KEY": SECRET_KEY,
            "TOCSIN_ENCRYPTION_KEYS": ",".join(TOCSIN_ENCRYPTION_KEYS),
            "TOCSIN_BLIND_INDEX_KEY": TOCSIN_BLIND_INDEX_KEY,
            "TOCSIN_SMS_TOKEN": TOCSIN_SMS_TOKEN,
            "TOCSIN_SMS_ACCOUNT": TOCSIN_SMS_ACCOUNT,
            "TOCSIN_SMS_FROM": TOCSIN_SMS_FROM,
            "TOCSIN_SIGNAL_NUMBER": TOCSIN_SIGNAL_NUMBER,
            "TOCSIN_VAPID_PRIVATE_KEY": TOCSIN_VAPID_PRIVATE_KEY,
            "TOCSIN_SMTP_URL": TOCSIN_SMTP_URL,
            "TOCSIN_SIGNAL_URL": TOCSIN_SIGNAL_URL,
            "TOCSIN_SMS_URL": TOCSIN_SMS_URL,
            "DATABASE_URL": DATABASE_URL,
            "TOCSIN_QUEUE_URL": TOCSIN_QUEUE_URL,
        },
        VAR_DIR,
    )
    if _problems:
        raise SystemExit(
            "Tocsin will not start in production with a demo, default or placeholder secret:\n  "
            + "\n  ".join(_problems)
        )

# Every log record is redacted where it is made and again on every handler: no token,
# personal link, query string or contact address reaches a log (tocsin/core/logs.py).
LOGGING_CONFIG = "tocsin.core.logs.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tocsin.core.logs.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("TOCSIN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers go: mail_admins would mail a 500's request (its path, its
        # token) and django.server's writes past the root's. Their records reach the root.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # Apprise and urllib3 log full notice URLs (which carry tokens) below WARNING.
        "axes": {"level": "WARNING"},
        "apprise": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
