"""Under a wrong FIELD_ENCRYPTION_KEY a running process refuses every encrypted write.

A web process started without ``manage.py check`` (plain gunicorn) used to accept new
secrets and encrypt them under the wrong key while ``/readyz`` already failed.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from apps_registry import services
from apps_registry.crypto import EncryptionKeyMismatchError
from apps_registry.models import ApiKey, Application
from config.fail_closed import UNAVAILABLE_MESSAGE
from connections.models import MindbodySiteConnection
from tests.factories import make_application
from tests.test_admin_applications import _form_data

WRONG_KEY = Fernet.generate_key().decode()


def test_the_admin_refuses_to_store_a_new_app_under_a_wrong_key(
    operator_client, organization, scopes
):
    with override_settings(FIELD_ENCRYPTION_KEY=[WRONG_KEY]):
        response = operator_client.post(
            reverse("admin:apps_registry_application_add"), _form_data(organization, scopes)
        )
    assert response.status_code == 503
    assert response.content.decode() == UNAVAILABLE_MESSAGE
    assert not Application.objects.exists()


def test_services_refuse_every_encrypted_write_under_a_wrong_key(organization, scopes, actor):
    application = make_application(organization, name="Spa booking", scopes=scopes, actor=actor)
    with override_settings(FIELD_ENCRYPTION_KEY=[WRONG_KEY]):
        with pytest.raises(EncryptionKeyMismatchError):
            services.api_key_generate(application=application, actor=actor)
        with pytest.raises(EncryptionKeyMismatchError), transaction.atomic():
            MindbodySiteConnection.objects.create(
                organization=organization, name="Studio", site_id=-99, api_key="abc123"
            )
    assert not ApiKey.objects.exists() and not MindbodySiteConnection.objects.exists()


def test_writes_work_again_once_the_right_key_is_back(organization, scopes, actor, settings):
    with override_settings(FIELD_ENCRYPTION_KEY=[WRONG_KEY, *settings.FIELD_ENCRYPTION_KEY]):
        application = make_application(
            organization, name="Rotating", scopes=scopes, actor=actor
        )  # a new first key during rotation: the old one still decrypts the canary
        assert Application.objects.get(pk=application.pk).secret
