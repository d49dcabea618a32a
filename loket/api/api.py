"""The REST API (issue 6): versioned under /api/v1/, its OpenAPI document at
/api/openapi.json and the interactive documentation at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from . import calls, cases, clients, reference, status
from .auth import TokenAuth
from .errors import install_error_handlers, not_found

DESCRIPTION = """\
loket's API for staff and other systems: the telephone exchange, the website, reporting tools.

Authenticate with a personal API token (`Authorization: Bearer loket_…`), created in the admin;
a token has exactly its owner's rights. Every error is JSON: `{"detail": "…", "errors":
[{"field": "…", "message": "…"}]}` with a 4xx status (422: the request does not match this
document; 400: a value is not acceptable; 409: the case's state does not allow the step).
Times are ISO 8601 with a time zone; terms are counted in Europe/Brussels working days.
"""

api = NinjaAPI(
    title="loket",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/clients", clients.router)
api.add_router("/v1/calls", calls.router)
api.add_router("/v1", reference.router)
api.add_router("/v1", status.router)


# Last, so that it only gets what no other operation matched.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown(request: HttpRequest, rest: str) -> None:
    """Any other address under /api/ answers in the API's own JSON, not with a web page."""
    raise not_found(_("There is no such address in the API; see /api/docs."))


api.add_router("", fallback)
