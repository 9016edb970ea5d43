"""Errors as JSON problem details (RFC 9457 shape), declared in every endpoint's schema."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ombuds.registry.lifecycle import ReasonRequired, TransitionRefused

log = logging.getLogger("ombuds.api")

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Payload too large",
    422: "Invalid input",
    500: "Server error",
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
    rule: str | None = None
    unmet_controls: list[str] | None = None


def errors(*codes: int) -> dict[int, type[Problem]]:
    return {code: Problem for code in codes}


# What every authenticated endpoint can answer besides success.
COMMON = (400, 401, 403, 404, 422)


def problem(
    api,
    request,
    status: int,
    detail: str,
    errors_=None,
    rule: str | None = None,
    headers=None,
    **extra,
):
    body = {
        "type": "about:blank" if rule is None else f"urn:ombuds:problem:{rule}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": errors_ or [],
    }
    if rule is not None:
        body["rule"] = rule
    body.update(extra)
    response = api.create_response(request, body, status=status)
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def _field_from_loc(loc) -> str:
    parts = [str(p) for p in loc]
    # ninja locations look like ("body", "payload", "name") or ("query", "limit").
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "filters", "data"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc):
        errs = [
            {"field": _field_from_loc(e.get("loc", ())), "message": e.get("msg", "invalid")}
            for e in exc.errors
        ]
        return problem(
            api,
            request,
            422,
            "Some fields are invalid: " + ", ".join(e["field"] for e in errs),
            errs,
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc):
        if hasattr(exc, "error_dict"):
            errs = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
        else:
            errs = [{"field": "body", "message": m} for m in exc.messages]
        return problem(
            api,
            request,
            422,
            "Some fields are invalid: " + ", ".join(dict.fromkeys(e["field"] for e in errs)),
            errs,
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return problem(
            api,
            request,
            413,
            f"The request body is larger than {limit} MB (OMBUDS_MAX_REQUEST_MB on the server).",
            [{"field": "body", "message": "too large"}],
        )

    @api.exception_handler(ReasonRequired)
    def _reason(request, exc):
        return problem(api, request, 422, str(exc), [{"field": "reason", "message": str(exc)}])

    @api.exception_handler(TransitionRefused)
    def _refused(request, exc):
        errs = [{"field": "to", "message": f"{cid}: {what}"} for cid, what in exc.blockers]
        return problem(
            api,
            request,
            409,
            exc.detail,
            errs,
            rule=exc.rule,
            unmet_controls=[cid for cid, _what in exc.blockers],
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return problem(
            api,
            request,
            401,
            "Send a valid token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": 'Bearer realm="ombuds"'},
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return problem(api, request, 403, "Your role does not allow this.")

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem(api, request, 404, "No such record, or it is not visible to you.")

    @api.exception_handler(HttpError)
    def _http(request, exc):
        return problem(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def _crash(request, exc):
        log.exception("API error on %s %s", request.method, request.path)
        return problem(api, request, 500, "Something went wrong on our side; it has been logged.")
