"""The REST API at /api/v1/: one NinjaAPI, routers from the apps, errors as structured JSON.

Every error body is {"detail": "...", "errors": {field: [messages]}} in the request's language
(Vietnamese unless the client asks otherwise).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.renderers import JSONRenderer

from ungcuu.accounts.api import SessionCookieAuth, TokenAuth
from ungcuu.accounts.api import router as accounts_router
from ungcuu.advisories.api import router as advisories_router
from ungcuu.alerts.api import router as alerts_router
from ungcuu.coordination.api import router as coordination_router
from ungcuu.deadlines.api import router as deadlines_router
from ungcuu.documents.api import router as documents_router
from ungcuu.dossiers.api import router as dossiers_router
from ungcuu.drills.api import router as drills_router
from ungcuu.evidence.api import router as evidence_router
from ungcuu.incidents.api import router as incidents_router
from ungcuu.inspections.api import router as inspections_router
from ungcuu.investigation.api import router as investigation_router
from ungcuu.mailintake.api import router as mailintake_router
from ungcuu.notifications.api import router as notifications_router
from ungcuu.plans.api import router as plans_router
from ungcuu.registry.api import router as registry_router
from ungcuu.reports.api import router as reports_router
from ungcuu.sharing.api import router as sharing_router


class UnicodeJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Vietnamese text stays readable instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="ungcuu API",
    version="1",
    description="Điều phối, ứng cứu sự cố an toàn thông tin mạng. Xác thực: `Authorization: Bearer <token>` "
    "(tạo bằng `ungcuu token create --user <tên>`).",
    auth=[TokenAuth(), SessionCookieAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", accounts_router)
api.add_router("/", registry_router)
api.add_router("/", evidence_router)
api.add_router("/", incidents_router)
api.add_router("/", coordination_router)
api.add_router("/", investigation_router)
api.add_router("/", deadlines_router)
api.add_router("/", notifications_router)
api.add_router("/", documents_router)
api.add_router("/", reports_router)
api.add_router("/", sharing_router)
api.add_router("/", advisories_router)
api.add_router("/", inspections_router)
api.add_router("/", plans_router)
api.add_router("/", drills_router)
api.add_router("/", dossiers_router)
api.add_router("/", alerts_router)
api.add_router("/", mailintake_router)

# Pydantic error types → messages a person can act on.
_SCHEMA_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "int_parsing": lambda: _("Enter a whole number."),
    "int_type": lambda: _("Enter a whole number."),
    "less_than_equal": lambda: _("The number is too large."),
    "greater_than_equal": lambda: _("The number is too small."),
    "int_from_float": lambda: _("Enter a whole number."),
    "bool_parsing": lambda: _("Enter true or false."),
    "bool_type": lambda: _("Enter true or false."),
    "date_from_datetime_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda: _("Enter a date as YYYY-MM-DD."),
    "string_type": lambda: _("Enter text."),
    "list_type": lambda: _("Enter a list."),
    "string_too_long": lambda: _("The text is too long."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "model_attributes_type": lambda: _("The request body must be a JSON object."),
    "dict_type": lambda: _("The request body must be a JSON object."),
    "extra_forbidden": lambda: _("Unknown field."),
}


def _error_response(request, status: int, detail: str, errors: dict | None = None):
    body = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(SchemaValidationError)
def schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or "__all__"
        message = _SCHEMA_MESSAGES.get(error.get("type"), lambda e=error: e.get("msg", ""))()
        errors.setdefault(field, []).append(message)
    return _error_response(request, 422, _("The data sent is not valid."), errors)


@api.exception_handler(ValidationError)
def domain_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: messages for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": exc.messages}
    return _error_response(request, 422, _("The data sent is not valid."), errors)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error_response(request, 403, str(exc) or _("You are not allowed to do this."))


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error_response(request, 404, _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return _error_response(request, 401, _("Authentication required: send a valid API token."))
