"""``POST /api/v1/keys/verify``: a gateway holding a verifier token asks whether a key is valid.

Every verdict is HTTP 200 (like Unkey); 401 is for the verifier token, 400 for a body that
is not the documented JSON, 413 for a body over ``MAX_BODY_BYTES``, 429 when the verifier is
over its failed-verification limit (see ``throttle.py``). The work is done by
``services.api_key_verify``, the same function Python callers use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables
from ninja import NinjaAPI
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticValidationError

from apps_registry import services
from apps_registry.api import throttle
from apps_registry.api.schemas import ErrorOut, VerifyIn, VerifyOut
from plumbing.client_ip import client_ip

MAX_BODY_BYTES = 8192
MISSING_TOKEN_MESSAGE = "Send the verifier token as 'Authorization: Bearer <token>'."  # noqa: S105 - a message
BODY_TOO_LARGE_MESSAGE = f"The request body is larger than {MAX_BODY_BYTES} bytes."
BODY_NOT_JSON_MESSAGE = 'The request body must be JSON such as {"key": "<API key>"}.'
BODY_INVALID_MESSAGE = (
    'The request body must be {{"key": "<API key>", "scopes": ["<scope>", ...]}} '
    "(scopes optional): {problems}."
)
THROTTLED_MESSAGE = "Too many failed verifications for this verifier token; retry in {seconds} s."

api = NinjaAPI(
    title="Keyport verification API",
    version="1",
    description=(
        "Verify Keyport-issued API keys. Authenticate with an organization's verifier token "
        "(Keyport admin, Verifier tokens) as a Bearer token."
    ),
    urls_namespace="api-v1",
    docs_url=None,
)


def presented_token(request: HttpRequest) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None`` when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class VerifierBearer(HttpBearer):
    """``Authorization: Bearer <verifier token>``. A missing one is refused here; the token
    itself is judged by ``api_key_verify`` in the same query as the key (one round trip)."""

    def __call__(self, request: HttpRequest) -> Any:
        token = presented_token(request)
        if token is None:
            raise AuthenticationError(message=MISSING_TOKEN_MESSAGE)
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> str:
        return token


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"detail": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="keyport"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = BODY_NOT_JSON_MESSAGE if exc.status_code == 400 else str(exc.message)
    return _error(exc.status_code, message)


@api.exception_handler(ValidationError)
def invalid_body(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[2:]) or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return _error(400, BODY_INVALID_MESSAGE.format(problems="; ".join(problems)))


def fast_path(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """413 before anything reads a body over ``MAX_BODY_BYTES``; a well-formed call answered
    without ninja's general request handling.

    Ninja's operation (auth classes, parameter models, a temporary response) costs about as
    much as the verification itself. A call with a bearer token and a body that ``VerifyIn``
    (the schema the OpenAPI document shows) accepts goes straight to ``_verified``; anything
    else takes ninja's path, which answers with the documented 400 and 401.
    """

    @wraps(run)
    @sensitive_variables()  # every local here and in every frame below (ninja's, the view's)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return _error(413, BODY_TOO_LARGE_MESSAGE)
        token = presented_token(request)
        if token is not None and request.method == "POST":
            try:
                payload = VerifyIn.model_validate_json(request.body)
            except PydanticValidationError:
                pass
            else:
                return _verified(request, token, payload)
        return run(request, *args, **kwargs)

    return inner


def _verified(request: HttpRequest, token: str, payload: VerifyIn) -> HttpResponse:
    try:
        result = services.api_key_verify(
            payload.key, scopes=payload.scopes, verifier_token=token, ip=client_ip(request)
        )
    except services.VerifierRefusedError as exc:
        return _error(401, str(exc))
    if not result.valid and result.verifier_id is not None:
        retry_after = throttle.failure_retry_after(result.verifier_id)
        if retry_after is not None:
            response = _error(429, THROTTLED_MESSAGE.format(seconds=retry_after))
            response["Retry-After"] = str(retry_after)
            return response
    # Straight to JSON: the answer already has the documented shape (the tests check it against
    # the schema), so pydantic's second pass over it would only cost time on the hot path.
    return JsonResponse(result.as_dict())


@api.post(
    "/keys/verify",
    auth=VerifierBearer(),
    response={200: VerifyOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    exclude_none=True,
    operation_id="verify_key",
    summary="Verify an API key",
)
@decorate_view(fast_path)
def verify_key(request: HttpRequest, payload: VerifyIn) -> Any:
    """Whether the presented key is a usable Keyport key of this organization with the scopes.

    Always 200 with a code: VALID, NOT_FOUND (also another organization's key and keys
    Zenoti issued), EXPIRED, REVOKED, APP_INACTIVE or INSUFFICIENT_SCOPE.
    """
    return _verified(request, request.auth, payload)  # type: ignore[attr-defined]
