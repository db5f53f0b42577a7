"""Request and response shapes of the verification API; the OpenAPI document comes from these."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from apps_registry.services.verification import Verdict

MAX_KEY_LENGTH = 200
MAX_SCOPES = 32
MAX_SCOPE_LENGTH = 80
SCOPE_PATTERN = r"^[A-Za-z0-9_.:-]+$"

# Sized so that every body the schema allows fits under the endpoint's MAX_BODY_BYTES, even
# with every character of the key escaped as a surrogate pair.
ScopeCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SCOPE_LENGTH,
        pattern=SCOPE_PATTERN,
        examples=["guests.read"],
    ),
]


# A plain pydantic model, not a ninja Schema: it is only ever read from JSON, and Schema's
# wrapper for reading Django objects costs time on every verification. (The docstring is the
# description the OpenAPI document shows.)
class VerifyIn(BaseModel):
    """The key exactly as the caller presented it, and the scopes the call needs."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY_LENGTH, examples=["kp_Ab3dE6gH.s3cr3t"])
    scopes: list[ScopeCode] = Field(default_factory=list, max_length=MAX_SCOPES)


class ApplicationOut(Schema):
    application_id: str
    name: str
    auth_method: Literal["api_key", "jwt"]
    source_app: Literal["external_cma", "external_webstore", "client_app", "bot"]
    login_user_type: Literal["guest", "employee"]
    scopes: list[str] = Field(description="Every scope the application is granted.")


class KeyOut(Schema):
    prefix: str
    expires_at: dt.datetime
    status: Literal["active", "expiring", "in_grace", "expired", "revoked"]


class VerifyOut(Schema):
    """Always HTTP 200; ``valid`` is true only for ``VALID``. ``application`` and ``key`` are
    present only when the key exists in the verifier's organization."""

    valid: bool
    code: Verdict
    application: ApplicationOut | None = None
    key: KeyOut | None = None


class ErrorOut(Schema):
    detail: str = Field(description="What is wrong, in plain words.")
