"""Health endpoints for load balancers and monitoring: `live` says the process answers (no
database), `ready` runs the checks of health.py and answers 503 when a part that requests
need is down. Neither needs a login; neither shows personal data or error texts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health


@never_cache
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    found = health()
    body = {
        "status": found.level.value,
        "checks": [
            {"name": check.name, "status": check.level.value, "detail": check.detail}
            for check in found.checks
        ],
    }
    return JsonResponse(body, status=200 if found.ready else 503)
