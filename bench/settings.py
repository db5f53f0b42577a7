"""Benchmark settings: the test settings plus a URLconf that also mounts the floor admin.

The database comes from ``DATABASE_URL`` (set by ``bench.support.setup_django``).
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import ALLOWED_HOSTS

ROOT_URLCONF = "bench.floor_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
