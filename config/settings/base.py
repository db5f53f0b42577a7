"""Settings shared by every environment, all read through one ``environ.Env()``.

Each environment module (local, test, production) imports this one and only changes what
differs; secrets have no default here, so production fails loudly when one is missing.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
ENV_FILE = BASE_DIR / ".env"
if ENV_FILE.exists() and not env.bool("KEYPORT_IGNORE_ENV_FILE", default=False):
    environ.Env.read_env(str(ENV_FILE), overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Comma-separated Fernet keys: the first encrypts, all of them decrypt (rotation).
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY")

INSTALLED_APPS = [
    "config.apps.KeyportAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "apps_registry",
    "connections",
]

MIDDLEWARE = [
    "plumbing.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "plumbing.security_headers.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "plumbing.bad_input.OutOfRangeInputMiddleware",
    "config.fail_closed.EncryptionKeyMismatchMiddleware",
]
X_FRAME_OPTIONS = "DENY"
# No inline scripts, no third-party origins (plumbing.security_headers sends it).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def prepared_statements(database: dict[str, Any]) -> dict[str, Any]:
    """``database`` letting PostgreSQL plan the key verification statements once per connection.

    Django turns psycopg's prepared statements off; its own queries bind client-side and are
    never prepared either way, so this only affects the server-binding cursor of
    ``apps_registry/selectors_verification.py``. ``DJANGO_DB_PREPARED_STATEMENTS=false``
    turns it off behind a transaction-pooling PgBouncer older than 1.21.
    """
    postgres = database["ENGINE"] == "django.db.backends.postgresql"
    if postgres and env.bool("DJANGO_DB_PREPARED_STATEMENTS", default=True):
        database.setdefault("OPTIONS", {})["prepare_threshold"] = 5
    return database


DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keyport.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
prepared_statements(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Admin login hardening: lock a username+IP pair out after 5 failures for 30 minutes;
# behind N reverse proxies set KEYPORT_TRUSTED_PROXIES=N so the real client IP is used.
KEYPORT_TRUSTED_PROXIES = env.int("KEYPORT_TRUSTED_PROXIES", default=0)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "plumbing.client_ip.client_ip"
AXES_VERBOSE = False
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "Keyport"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Cache (django-environ CACHE_URL): the verification API's failed-verification limit counts
# here, so every web process must share it: redis://redis:6379/1 in production.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Failed verifications (answers other than VALID) a verifier token may cause per window
# before POST /api/v1/keys/verify answers 429 (apps_registry/api/throttle.py).
KEYPORT_VERIFY_FAILURE_LIMIT = env.int("KEYPORT_VERIFY_FAILURE_LIMIT", default=300)
KEYPORT_VERIFY_FAILURE_WINDOW = env.int("KEYPORT_VERIFY_FAILURE_WINDOW", default=60)

# Messages live in the session (server side), never in a cookie the browser keeps.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Links in emails. `make run` serves on KEYPORT_ADDRESS (host:port), so by default they follow it.
KEYPORT_ADDRESS = env.str("KEYPORT_ADDRESS", default="127.0.0.1:8000")
SITE_URL = env.str("SITE_URL", default=f"http://{KEYPORT_ADDRESS}")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="keyport@localhost")

# Email: EMAIL_URL such as smtp://user:pass@mail:587 or smtp+tls://...; console by default
# (production requires it). A bounded timeout keeps a hung SMTP server from holding a
# worker (and the alert rows it locked) for long.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)

# Expiry alerts: retries of a failed digest (exponential backoff with jitter, every delay
# below CELERY_BROKER_VISIBILITY_TIMEOUT); after the last one the rows are marked failed
# and the next daily scan tries again.
EXPIRY_ALERT_MAX_RETRIES = env.int("EXPIRY_ALERT_MAX_RETRIES", default=5)
EXPIRY_ALERT_RETRY_BASE_SECONDS = env.float("EXPIRY_ALERT_RETRY_BASE_SECONDS", default=60.0)

# Celery: JSON only, bounded run times, the schedule in the database (django-celery-beat).
# The embedded default is Kombu's filesystem transport under var/ so `make run` needs no
# Redis; docker-compose and CI point CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        # Exchange tables; Kombu's default is ./control, wherever the process started.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Mindbody Public API v6: where to call, how long to wait, how hard to retry, and how many
# calls one renewal or verification pass may have in flight at once.
MINDBODY_API_BASE_URL = env.str(
    "MINDBODY_API_BASE_URL", default="https://api.mindbodyonline.com/public/v6"
)
MINDBODY_CONNECT_TIMEOUT = env.float("MINDBODY_CONNECT_TIMEOUT", default=5.0)
MINDBODY_READ_TIMEOUT = env.float("MINDBODY_READ_TIMEOUT", default=30.0)
MINDBODY_MAX_RETRIES = env.int("MINDBODY_MAX_RETRIES", default=3)
MINDBODY_BACKOFF_FACTOR = env.float("MINDBODY_BACKOFF_FACTOR", default=0.5)
MINDBODY_RETRY_AFTER_MAX = env.int("MINDBODY_RETRY_AFTER_MAX", default=60)
MINDBODY_MAX_CONCURRENCY = env.int("MINDBODY_MAX_CONCURRENCY", default=8)
# Calls per API key per UTC day; the alert recipients are emailed once at 80 % (0: no alert).
MINDBODY_DAILY_CALL_BUDGET = env.int("MINDBODY_DAILY_CALL_BUDGET", default=1000)

# Zenoti: where Zenoti-issued keys are checked live (GET /v1/centers), how long to wait,
# how often to retry a 429 (each wait at most ZENOTI_RETRY_AFTER_MAX seconds), and how a
# pass stays under Zenoti's 60 calls per minute per organization.
ZENOTI_API_BASE_URL = env.str("ZENOTI_API_BASE_URL", default="https://api.zenoti.com")
ZENOTI_CONNECT_TIMEOUT = env.float("ZENOTI_CONNECT_TIMEOUT", default=5.0)
ZENOTI_READ_TIMEOUT = env.float("ZENOTI_READ_TIMEOUT", default=10.0)
ZENOTI_MAX_RETRIES = env.int("ZENOTI_MAX_RETRIES", default=2)
ZENOTI_RETRY_AFTER_MAX = env.int("ZENOTI_RETRY_AFTER_MAX", default=60)
ZENOTI_MAX_CONCURRENCY = env.int("ZENOTI_MAX_CONCURRENCY", default=4)
ZENOTI_CALLS_PER_MINUTE = env.int("ZENOTI_CALLS_PER_MINUTE", default=50)

# Every handler passes through the redaction filter, so no secret reaches a log line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "plumbing.log_redaction.RedactSecretsFilter"},
        "request_id": {"()": "plumbing.request_id.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "plumbing.log_json.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_secrets"],
            "formatter": env.str("LOG_FORMAT", default="plain"),
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}
ADMINS = [("Keyport admin", email) for email in env.list("DJANGO_ADMINS", default=[])]
