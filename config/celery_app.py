"""The Celery application; settings come from Django under the ``CELERY_`` prefix.

Tasks live in each app's ``tasks.py`` (autodiscovered), are thin, take ids and call
services. The schedule lives in the database (django-celery-beat) so operators can change
it in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("keyport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
