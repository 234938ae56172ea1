"""The one settings module. Everything that differs between machines comes from
environment variables:

- ``DATABASE_URL``: default SQLite at ``$JOINEDUP_DATA_DIR/joinedup.sqlite3``;
  ``postgres://user@host:5432/name`` for PostgreSQL (psycopg 3).
- ``JOINEDUP_DATA_DIR``: files such as the database and analytics store (``var/``).
- ``JOINEDUP_SECRET_KEY``: required in production; otherwise one is made and kept
  in the data directory.
- ``JOINEDUP_HTTPS``: served over HTTPS behind a proxy (HSTS, redirects, secure cookies).
- ``JOINEDUP_LOG_FORMAT`` (``text`` or ``json``), ``JOINEDUP_LOG_LEVEL``,
  ``JOINEDUP_METRICS_TOKEN``: see docs/operations.md.
- ``JOINEDUP_DEBUG``, ``JOINEDUP_ALLOWED_HOSTS``, ``JOINEDUP_SESSION_MINUTES``,
  ``JOINEDUP_BREAK_GLASS_MINUTES``, ``JOINEDUP_REQUIRE_2FA_ROLES``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import nhsuk_frontend_jinja
from csp.constants import NONCE

from joinedup.operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("JOINEDUP_DATA_DIR", BASE_DIR / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("JOINEDUP_SECRET_KEY")
    if key:
        return key
    if _env_bool("JOINEDUP_HTTPS", False):
        # In production the secret comes from the environment (the secret store), never
        # from a file made on the server.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set JOINEDUP_SECRET_KEY: it is required with JOINEDUP_HTTPS")
    # A development key kept beside the data, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("JOINEDUP_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("JOINEDUP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "corsheaders",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "joinedup.core",
    "joinedup.people",
    "joinedup.ingest",
    "joinedup.identity",
    "joinedup.population",
    "joinedup.care",
    "joinedup.portal",
    "joinedup.directory",
    "joinedup.engagement",
    "joinedup.outcomes",
    "joinedup.fhir",
    "joinedup.synth",
    "joinedup.jobs",
]

# Background jobs (joinedup.jobs) go through Huey: an SQLite file beside the database by
# default (no server), Redis when JOINEDUP_REDIS_URL is set (production). `joinedup worker`
# runs them; JOINEDUP_JOBS_IMMEDIATE=1 runs each at once in the process that made it
# (the tests do, so no worker is needed).
HUEY = {
    "name": os.environ.get("JOINEDUP_QUEUE_NAME", "joinedup"),  # one Redis, several sites
    "immediate": os.environ.get("JOINEDUP_JOBS_IMMEDIATE", "") == "1",
    "utc": True,
    "consumer": {
        "workers": int(os.environ.get("JOINEDUP_WORKER_THREADS", "2")),
        "worker_type": "thread",
        "periodic": True,
    },
}
# A running job with no heartbeat for this long has lost its worker, and is run again;
# a failed attempt is retried after JOINEDUP_JOB_RETRY_SECONDS, doubling each time.
JOBS_STALE_SECONDS = int(os.environ.get("JOINEDUP_JOB_STALE_SECONDS", "60"))
JOBS_RETRY_SECONDS = int(os.environ.get("JOINEDUP_JOB_RETRY_SECONDS", "30"))
if os.environ.get("JOINEDUP_REDIS_URL"):
    HUEY.update({"huey_class": "huey.RedisHuey", "url": os.environ["JOINEDUP_REDIS_URL"]})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")})

CORS_URLS_REGEX = r"^/(fhir|oruk)(/.*)?$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "if-match", "prefer")
CORS_EXPOSE_HEADERS = ("etag", "location", "content-location")
CORS_PREFLIGHT_MAX_AGE = 3600

MIDDLEWARE = [
    # First: the request id is on every line logged after it; every request is counted.
    "joinedup.operations.middleware.RequestMiddleware",
    # Open Referral (/oruk): HEAD and OPTIONS, JSON errors, open to any web page; before
    # CorsMiddleware, so that it sees preflights too.
    "joinedup.directory.middleware.OpenReferralMiddleware",
    # The APIs answer browser clients of other sites (CORS, preflight included): only
    # /fhir and /oruk, with no cookies (a FHIR client sends its bearer token itself).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "joinedup.core.middleware.CurrentOrganisationMiddleware",
    "joinedup.people.middleware.MergedRecordMiddleware",
    "joinedup.portal.access.ResidentMiddleware",
    "axes.middleware.AxesMiddleware",
    "joinedup.fhir.middleware.FhirOutcomeMiddleware",
]

ROOT_URLCONF = "joinedup.urls"
WSGI_APPLICATION = "joinedup.wsgi.application"

_APP_TEMPLATE_DIRS = [
    PACKAGE_DIR / app / "templates"
    for app in (
        "core",
        "people",
        "identity",
        "population",
        "outcomes",
        "care",
        "portal",
        "directory",
        "engagement",
        "jobs",
        "ingest",
    )
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [
            *[d for d in _APP_TEMPLATE_DIRS if d.exists()],
            Path(nhsuk_frontend_jinja.__file__).parent / "templates",
        ],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "joinedup.core.jinja_env.environment"},
    },
    {
        # Django admin (reference data) keeps its own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'joinedup.sqlite3'}"),
        conn_max_age=int(os.environ.get("JOINEDUP_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:home"

# Sessions end after a spell of inactivity (default 30 minutes).
SESSION_COOKIE_AGE = int(os.environ.get("JOINEDUP_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto): redirect plain HTTP, send HSTS for a year, secure cookies only.
HTTPS = _env_bool("JOINEDUP_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS or _env_bool("JOINEDUP_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
# The proxy's health check and Prometheus's scrape may use plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
# joinedup expects a host name of its own: HSTS covers its subdomains and asks to be
# preloaded unless JOINEDUP_HSTS_PRELOAD=0 (say, when other services share the domain).
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and _env_bool("JOINEDUP_HSTS_PRELOAD", True)
SECURE_HSTS_PRELOAD = SECURE_HSTS_INCLUDE_SUBDOMAINS
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "joinedup.core.views.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: scripts, styles and everything else from joinedup itself only
# (the NHS.UK font from assets.nhs.uk; the design system's one inline script by a nonce
# made per response); no framing, no plugins, forms post only here.
# The API documentation pages load Swagger UI from a CDN, so they are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs", "/fhir/docs", "/oruk/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# No page needs the camera, microphone, location, payment or USB devices.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )  # fmt: skip
}

# Login throttling: five failures lock the username and address for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("JOINEDUP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = None
AXES_LOCKOUT_CALLABLE = "joinedup.core.views.auth.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "joinedup"

# Roles that must use two-factor sign-in (comma separated role codes).
JOINEDUP_REQUIRE_2FA_ROLES = [
    r
    for r in os.environ.get("JOINEDUP_REQUIRE_2FA_ROLES", "org_admin,system_admin").split(",")
    if r
]
JOINEDUP_BREAK_GLASS_MINUTES = int(os.environ.get("JOINEDUP_BREAK_GLASS_MINUTES", "60"))

# The resident portal: invitations last this many days; sign-in failures lock an account
# for 15 minutes after this many; outgoing mail (invitations) goes to the console unless
# an SMTP server is configured.
PORTAL_SIGN_IN_URL = "/portal/sign-in"
PORTAL_INVITATION_DAYS = int(os.environ.get("JOINEDUP_PORTAL_INVITATION_DAYS", "7"))
PORTAL_FAILURE_LIMIT = int(os.environ.get("JOINEDUP_PORTAL_FAILURE_LIMIT", "5"))

# Service directory: listings not verified within this many days are flagged, and their
# providers asked to check them (`joinedup directory verify-check`).
DIRECTORY_VERIFY_DAYS = int(os.environ.get("JOINEDUP_DIRECTORY_VERIFY_DAYS", "365"))
EMAIL_BACKEND = os.environ.get(
    "JOINEDUP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("JOINEDUP_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("JOINEDUP_EMAIL_FROM", "joinedup@localhost")

# Canonical URLs of the partnership's own FHIR definitions (Questionnaire, extensions).
FHIR_CANONICAL_BASE = os.environ.get(
    "JOINEDUP_FHIR_CANONICAL", "https://fhir.joinedup.example"
).rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Logs: plain text for a developer (runserver, commands, tests) or one JSON object per
# line for a log collector (JOINEDUP_LOG_FORMAT=json; `joinedup serve` uses JSON unless
# told otherwise), every line with its request's id. Patient-level data never goes to
# the logs (docs/architecture.md, convention 7): request paths and ids only, never names or
# NHS numbers (joinedup/operations/logs.py).
LOG_FORMAT = os.environ.get("JOINEDUP_LOG_FORMAT", "text")
SERVE_LOG_FORMAT = os.environ.get("JOINEDUP_LOG_FORMAT", "json")
LOG_LEVEL = os.environ.get("JOINEDUP_LOG_LEVEL", "WARNING").upper()
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# /metrics answers the server itself, or anyone with this bearer token (empty: no token).
METRICS_TOKEN = os.environ.get("JOINEDUP_METRICS_TOKEN", "")
# Where gunicorn's workers keep their counts for /metrics to add up (set by `joinedup
# serve`; prometheus_client reads it too). Empty: one process's counts.
METRICS_MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

# Record linkage: link automatically at or above LINK_UPPER, send to review between, leave
# unlinked below LINK_LOWER; DuckDB spills to disk past LINK_MEMORY_LIMIT.
LINK_UPPER = float(os.environ.get("JOINEDUP_LINK_UPPER", "0.7"))
LINK_LOWER = float(os.environ.get("JOINEDUP_LINK_LOWER", "0.3"))
LINK_MEMORY_LIMIT = os.environ.get("JOINEDUP_LINK_MEMORY_LIMIT", "6GB")

# Population runs: the configuration file (conditions, thresholds), DuckDB's memory, and
# Spark (local mode unless JOINEDUP_SPARK_MASTER names a cluster).
POPULATION_CONFIG = os.environ.get("JOINEDUP_POPULATION_CONFIG", "")
DUCKDB_MEMORY_LIMIT = os.environ.get("JOINEDUP_DUCKDB_MEMORY_LIMIT", "3GB")
SPARK_MASTER = os.environ.get("JOINEDUP_SPARK_MASTER", "local[2]")
SPARK_PARTITIONS = os.environ.get("JOINEDUP_SPARK_PARTITIONS", "8")
SPARK_DRIVER_MEMORY = os.environ.get("JOINEDUP_SPARK_DRIVER_MEMORY", "4g")
SPARK_CHECKPOINT_DIR = os.environ.get("JOINEDUP_SPARK_CHECKPOINT_DIR", "")

# gunicorn workers `joinedup serve` starts.
WEB_CONCURRENCY = int(os.environ.get("WEB_CONCURRENCY", "3"))

# The crash-safety tests' crash point (core/faults.py): never set in production.
CRASH_AT = os.environ.get("JOINEDUP_CRASH_AT", "")
