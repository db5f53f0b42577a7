"""Production: every secret must come from the environment; nothing has a default."""

from .base import *  # noqa: F403
from .base import env, prepared_statements

DEBUG = False
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")  # type: ignore[index]  # noqa: F405
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": prepared_statements(env.db("DATABASE_URL"))}
# Persistent connections (checked before reuse): a verification costs about one indexed query,
# not a new PostgreSQL backend per request (docs/benchmarks.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
SITE_URL = env.str("SITE_URL")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# TLS ends at the reverse proxy, which must set X-Forwarded-Proto (see README).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = 8 * 60 * 60

# Orchestrators and load balancers probe over plain HTTP, from inside the network: the health
# endpoints answer there instead of redirecting to https (they show no data).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Several Keyport instances may share one Redis (database numbers run out): each schedules and
# consumes on its own queue. The smoke test uses this to run beside other test runs.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
