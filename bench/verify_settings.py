"""Settings of the verification bench: the floor and djangorestframework-api-key mounted.

``KEYPORT_BENCH_PRODUCTION=1`` (set for gunicorn) builds on the production settings; without
it (the seeding process) on the bench's test settings. Either way the only differences are
the URLconf (``bench/verify_urls.py``) and the two DRF apps, installed for the bench only.
"""

import os

if os.environ.get("KEYPORT_BENCH_PRODUCTION") == "1":
    from config.settings.production import *  # noqa: F403
    from config.settings.production import INSTALLED_APPS
else:
    from bench.settings import *  # noqa: F403
    from bench.settings import INSTALLED_APPS

ROOT_URLCONF = "bench.verify_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework", "rest_framework_api_key"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
