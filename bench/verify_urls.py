"""Keyport's URLs plus the two endpoints the verification bench compares it with.

* ``/floor/keys/verify``: the floor, the same stack (middleware, gunicorn, PostgreSQL) doing
  one indexed ``SELECT`` by digest and a JSON answer, nothing else (no verifier token, no
  scopes, no verdicts). What Keyport's endpoint costs above it is Keyport's own work.
* ``/floor-prepared/keys/verify``: the same ``SELECT`` written as SQL and run as a prepared
  statement on the cursor Keyport's endpoint uses, so the floor's query costs what Keyport's
  technique makes a query cost (the strictest floor).
* ``/drf/keys/verify``: djangorestframework-api-key's ``HasAPIKey`` on its own keys.

Mounted only by ``bench/verify_settings.py``; never in product code.
"""

import hashlib
import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import HasAPIKey

from apps_registry.models import ApiKey
from apps_registry.selectors_verification import preparing_cursor
from config.urls import urlpatterns as keyport_urlpatterns


@csrf_exempt
def floor_verify(request: HttpRequest) -> JsonResponse:
    digest = hashlib.sha256(json.loads(request.body)["key"].encode()).hexdigest()
    rows = list(
        ApiKey.objects.filter(key_digest=digest)
        .order_by()
        .values("prefix", "expires_at", "revoked_at")[:1]
    )
    if not rows:
        return JsonResponse({"valid": False})
    return JsonResponse({"valid": rows[0]["revoked_at"] is None, "key": rows[0]})


FLOOR_SQL = (
    'SELECT "prefix", "expires_at", "revoked_at" FROM "apps_registry_apikey" '
    'WHERE "key_digest" = %s LIMIT 1'
)


@csrf_exempt
def floor_prepared_verify(request: HttpRequest) -> JsonResponse:
    digest = hashlib.sha256(json.loads(request.body)["key"].encode()).hexdigest()
    with preparing_cursor() as cursor:
        cursor.execute(FLOOR_SQL, [digest])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"valid": False})
    key = dict(zip(("prefix", "expires_at", "revoked_at"), row, strict=True))
    return JsonResponse({"valid": row[2] is None, "key": key})


class DrfVerify(APIView):
    permission_classes = [HasAPIKey]

    def post(self, request: Any) -> Response:
        return Response({"valid": True})


urlpatterns: list[Any] = [
    path("floor/keys/verify", floor_verify),
    path("floor-prepared/keys/verify", floor_prepared_verify),
    path("drf/keys/verify", DrfVerify.as_view()),
    *keyport_urlpatterns,
]
