"""Every error the API answers is JSON of one shape, ``{"detail": …, "errors": [{"field": …,
"message": …}]}``, with a 4xx status that says whose fault it is. A 500 means a bug in loket:
it is logged with its traceback and answered in the same shape, never hidden as a 4xx."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from loket.cases.phones import InvalidPhoneNumber
from loket.cases.references import InvalidReference
from loket.cases.services import CaseError

from .schemas import ErrorOut

logger = logging.getLogger("loket.api")
# What ninja hands an exception handler (its own signature allows the class too).
Raised = Exception | type[Exception]


class ApiError(Exception):
    """An answer other than success, with the field it concerns (if any)."""

    def __init__(
        self,
        status: int,
        detail: str,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers or {}


def bad_input(field: str, message: str) -> ApiError:
    return ApiError(400, message, field)


def not_found(detail: str | None = None) -> ApiError:
    return ApiError(404, detail or _("Not found."))


def _messages(error: DjangoValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@contextmanager
def naming(field: str) -> Iterator[None]:
    """A service's `ValidationError` raised inside becomes a 400 naming `field` (services
    speak of the value, the API knows which field carried it). A `CaseError` is about the
    case's state, not about a field: it stays a 409."""
    try:
        yield
    except CaseError:
        raise
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ApiError(400, " ".join(_messages(error)), field) from error


def _body(detail: str, errors: Sequence[tuple[str | None, str]]) -> dict[str, Any]:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}


# The names the endpoints give their schema parameters; ninja puts them in error locations,
# where they mean nothing to a caller.
PARAMETER_NAMES = frozenset({"payload", "filters", "search", "query"})


def _field_of(location: Sequence[Any]) -> str:
    """ninja's ("body", "payload", "subject") or ("query", "filters", "status", 1) →
    "subject", "status.1"."""
    parts = [str(p) for p in location]
    source, rest = (parts[0], parts[1:]) if parts else ("", [])
    if len(rest) > 1 and rest[0] in PARAMETER_NAMES:
        rest = rest[1:]
    return ".".join(rest) or source


def install_error_handlers(api: NinjaAPI) -> None:
    """One JSON shape for every error, a 4xx for every bad input (issue 6: nothing answers
    500 unless loket itself is broken)."""

    def respond(
        request: HttpRequest,
        status: int,
        detail: str,
        errors: Sequence[tuple[str | None, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        response = api.create_response(request, _body(detail, errors), status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def on_api_error(request: HttpRequest, exc: Raised) -> HttpResponse:
        error = cast(ApiError, exc)
        errors = [(error.field, error.detail)] if error.field else []
        return respond(request, error.status, error.detail, errors, error.headers)

    def on_schema_error(request: HttpRequest, exc: Raised) -> HttpResponse:
        invalid = cast(NinjaValidationError, exc)
        errors = [(_field_of(e.get("loc", ())), str(e.get("msg", ""))) for e in invalid.errors]
        names = ", ".join(dict.fromkeys(f for f, _m in errors if f))
        return respond(
            request, 422, _("The request is not valid: %(fields)s.") % {"fields": names}, errors
        )

    def on_http_error(request: HttpRequest, exc: Raised) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            detail = exc.message
            if detail == "Unauthorized":  # ninja's word when no token came at all
                detail = _("Send a loket API token: Authorization: Bearer <token>.")
            return respond(request, 401, detail, [], {"WWW-Authenticate": "Bearer"})
        if isinstance(exc, Throttled):
            return respond(request, 429, _("Too many requests; try again later."))
        error = cast(HttpError, exc)
        if error.status_code == 400:  # ninja could not read the body (not JSON, say)
            return respond(request, 400, error.message, [("body", error.message)])
        return respond(request, error.status_code, error.message)

    def on_case_error(request: HttpRequest, exc: Raised) -> HttpResponse:
        return respond(request, 409, " ".join(_messages(cast(CaseError, exc))))

    def on_validation_error(request: HttpRequest, exc: Raised) -> HttpResponse:
        invalid = cast(DjangoValidationError, exc)
        if hasattr(invalid, "error_dict"):
            errors: list[tuple[str | None, str]] = [
                (None if f == "__all__" else f, m)
                for f, messages in invalid.message_dict.items()
                for m in messages
            ]
        else:
            errors = [(None, m) for m in _messages(invalid)]
        return respond(request, 400, " ".join(m for _f, m in errors), errors)

    def on_invalid_reference(request: HttpRequest, exc: Raised) -> HttpResponse:
        message = _("That is not a registration number, or its check digits do not match.")
        return respond(request, 400, message, [("reference", message)])

    def on_invalid_phone(request: HttpRequest, exc: Raised) -> HttpResponse:
        message = _("That is not a phone number.")
        return respond(request, 400, message, [("phone", message)])

    def on_not_found(request: HttpRequest, exc: Raised) -> HttpResponse:
        return respond(request, 404, _("Not found."))

    def on_permission_denied(request: HttpRequest, exc: Raised) -> HttpResponse:
        detail = str(cast(PermissionDenied, exc)) or _("Your account may not do this.")
        return respond(request, 403, detail)

    def on_bug(request: HttpRequest, exc: Raised) -> HttpResponse:
        bug = cast(Exception, exc)
        logger.error(
            "API error on %s %s",
            request.method,
            request.path,
            exc_info=(type(bug), bug, bug.__traceback__),
        )
        return respond(request, 500, _("Something went wrong in loket; it has been logged."))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(CaseError, on_case_error)
    api.add_exception_handler(DjangoValidationError, on_validation_error)
    api.add_exception_handler(InvalidReference, on_invalid_reference)
    api.add_exception_handler(InvalidPhoneNumber, on_invalid_phone)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Exception, on_bug)


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation documents, for its OpenAPI responses."""
    return dict.fromkeys(statuses, ErrorOut)


# What every operation behind a token may answer besides its success.
TOKEN_ERRORS = (400, 401, 403, 404, 422)
