"""Applications registered the way Zenoti's "Manage Applications" registers them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps_registry.fields import StrictEncryptedCharField
from apps_registry.models.name_errors import DuplicateNameOnField
from apps_registry.roles import EXPORT_CODENAME, EXPORT_PERMISSION_LABEL
from apps_registry.validators import (
    REDIRECT_URL_MAX_LENGTH,
    validate_api_base_url,
    validate_email_list,
    validate_plain_text,
    validate_redirect_url,
)

DUPLICATE_NAME_MESSAGE = "This organization already has an application with this name."
# Application IDs are unique across tenants; the message does not say that another one has it.
APPLICATION_ID_TAKEN = "This Application ID cannot be recorded: Keyport already holds it."


class LoginUserType(models.TextChoices):
    GUEST = "guest", "Guest"
    EMPLOYEE = "employee", "Employee"


class SourceApp(models.TextChoices):
    EXTERNAL_CMA = "external_cma", "External CMA"
    EXTERNAL_WEBSTORE = "external_webstore", "External Webstore"
    CLIENT_APP = "client_app", "Client App"
    BOT = "bot", "Bot"


class AuthMethod(models.TextChoices):
    API_KEY = "api_key", "API key groups"
    JWT = "jwt", "JWT groups"


class CredentialOrigin(models.TextChoices):
    """Who issued an app's credentials: what Keyport may do with them follows from it."""

    GENERATED = "generated", "Issued by Keyport"
    RECORDED = "recorded", "Issued by Zenoti"


# The issuer as it appears in exports and to other services (``Application.issuer``).
ISSUER_KEYPORT = "keyport"
ISSUER_ZENOTI = "zenoti"

ZENOTI_ACCOUNT_NAME_HELP = (
    "Zenoti's account name: your organization's name in Zenoti (needed for access tokens)."
)
ZENOTI_ACCOUNT_NAME_REQUIRED = "Enter the Zenoti account name (your organization's name in Zenoti)."
ZENOTI_BASE_URL_HELP = "Leave blank for the default (ZENOTI_API_BASE_URL)."


class ApiScope(models.Model):
    """One API group permission, e.g. ``guests.read`` in the "Guests" group."""

    code = models.CharField(max_length=80, unique=True, validators=[validate_plain_text])
    group = models.CharField(max_length=80, validators=[validate_plain_text])
    label = models.CharField(max_length=120, validators=[validate_plain_text])

    class Meta:
        ordering = ["group", "code"]

    def __str__(self) -> str:
        return f"{self.group}: {self.label}"


# What an operator may change on a registered app (``application_update`` and its form);
# the organization and the credentials never change after registration.
APPLICATION_EDITABLE_FIELDS = (
    "name",
    "uri",
    "description",
    "login_user_type",
    "source_app",
    "auth_method",
    "contact_emails",
    "is_active",
    "zenoti_account_name",
    "zenoti_api_base_url",
)


class Application(DuplicateNameOnField, models.Model):
    """A registered integration; its secret is encrypted and shown once after creation."""

    duplicate_name_message = DUPLICATE_NAME_MESSAGE

    organization = models.ForeignKey(
        "apps_registry.Organization", on_delete=models.PROTECT, related_name="applications"
    )
    name = models.CharField(max_length=200, validators=[validate_plain_text])
    uri = models.URLField("URI", max_length=500, help_text="Used to contact the developer.")
    description = models.TextField(blank=True, validators=[validate_plain_text])
    login_user_type = models.CharField(max_length=20, choices=LoginUserType.choices)
    source_app = models.CharField(max_length=30, choices=SourceApp.choices)
    auth_method = models.CharField(
        max_length=20, choices=AuthMethod.choices, default=AuthMethod.API_KEY
    )
    scopes = models.ManyToManyField(ApiScope, related_name="applications")
    application_id = models.CharField(
        "Application ID",
        max_length=100,
        unique=True,
        editable=False,
        validators=[validate_plain_text],
        error_messages={"unique": APPLICATION_ID_TAKEN},
    )
    secret = StrictEncryptedCharField(
        max_length=500, editable=False, validators=[validate_plain_text]
    )
    contact_emails = models.JSONField(default=list, blank=True, validators=[validate_email_list])
    credential_origin = models.CharField(
        "Issuer",
        max_length=20,
        choices=CredentialOrigin.choices,
        default=CredentialOrigin.GENERATED,
    )
    zenoti_account_name = models.CharField(
        "Zenoti account name",
        max_length=200,
        blank=True,
        help_text=ZENOTI_ACCOUNT_NAME_HELP,
        validators=[validate_plain_text],
    )
    zenoti_api_base_url = models.URLField(
        "Zenoti API base URL",
        max_length=300,
        blank=True,
        validators=[validate_api_base_url],
        help_text=ZENOTI_BASE_URL_HELP,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization__name", "name"]
        permissions = [(EXPORT_CODENAME, EXPORT_PERMISSION_LABEL)]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="app_name_unique_per_org",
                violation_error_message=DUPLICATE_NAME_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def issuer(self) -> str:
        """``ISSUER_KEYPORT`` (generated here) or ``ISSUER_ZENOTI`` (recorded from Zenoti)."""
        return ISSUER_ZENOTI if self.issued_by_zenoti else ISSUER_KEYPORT

    @property
    def issued_by_zenoti(self) -> bool:
        """Zenoti mints and rotates these keys; Keyport records, checks and exports them."""
        return self.credential_origin == CredentialOrigin.RECORDED

    def zenoti_base_url(self) -> str:
        """Where this app's keys are checked: its own base URL or ``ZENOTI_API_BASE_URL``."""
        return (self.zenoti_api_base_url or settings.ZENOTI_API_BASE_URL).rstrip("/")


class RedirectKind(models.TextChoices):
    POST_LOGIN = "post_login", "Post-login"
    POST_LOGOUT = "post_logout", "Post-logout"


class RedirectURL(models.Model):
    """A post-login or post-logout redirect URL, matched as an exact string."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="redirect_urls"
    )
    kind = models.CharField(max_length=20, choices=RedirectKind.choices)
    url = models.CharField(
        "URL", max_length=REDIRECT_URL_MAX_LENGTH, validators=[validate_redirect_url]
    )

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "url"],
                name="redirect_url_unique_per_kind",
                violation_error_message="This redirect URL is listed twice.",
            ),
        ]

    def __str__(self) -> str:
        return self.url
