"""Local development: SQLite under ``var/``, console email, debug on by default."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
# Email comes from EMAIL_URL in base.py (console unless set).
