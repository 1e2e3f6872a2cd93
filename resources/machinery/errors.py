"""metav1.Status errors. Every failure in the API becomes one of these."""
from http import HTTPStatus

from django.http import HttpResponse

from resources.machinery.encoding import dump_json


class APIError(Exception):
    """An error answered as a metav1 Status with the upstream reason and code."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.list_meta = {}  # Status.metadata (ListMeta), e.g. a continue token

    def status(self):
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.list_meta),
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body

    def response(self):
        resp = HttpResponse(dump_json(self.status()), status=self.code, content_type="application/json")
        for key, value in self.headers.items():
            resp[key] = value
        return resp


def qualified(group, resource):
    return f"{resource}.{group}" if group else resource


_qualified = qualified


def not_found(group, resource, name):
    return APIError(
        404,
        "NotFound",
        f'{_qualified(group, resource)} "{name}" not found',
        {"name": name, "group": group, "kind": resource},
    )


def already_exists(group, resource, name):
    return APIError(
        409,
        "AlreadyExists",
        f'{_qualified(group, resource)} "{name}" already exists',
        {"name": name, "group": group, "kind": resource},
    )


def conflict(group, resource, name, why):
    return APIError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(group, resource)} "{name}": {why}',
        {"name": name, "group": group, "kind": resource},
    )


def invalid(group, kind, name, causes):
    """422 Invalid. ``causes`` is a list of (field, type, message), type being
    the upstream cause type (FieldValueRequired, FieldValueInvalid, ...)."""
    summary = ", ".join(f"{field}: {message}" if field else message for field, _, message in causes)
    message = f'{_qualified(group, kind)} "{name}" is invalid: {summary}'
    if len(causes) > 1:
        message = f'{_qualified(group, kind)} "{name}" is invalid: [{summary}]'
    return APIError(
        422,
        "Invalid",
        message,
        {
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [{"reason": t, "message": m, "field": f} for f, t, m in causes],
        },
    )


def bad_request(message):
    return APIError(400, "BadRequest", message)


def forbidden(message):
    return APIError(403, "Forbidden", message)


def unauthorized():
    return APIError(401, "Unauthorized", "Unauthorized")


def method_not_supported(group, resource, verb):
    return APIError(
        405, "MethodNotAllowed", f"{verb} is not supported on resources of kind {_qualified(group, resource)!r}"
    )


def expired(message):
    return APIError(410, "Expired", message)


def too_large():
    return APIError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728")


def unsupported_media_type(content_type):
    return APIError(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf; got "{content_type}"')


def too_large_resource_version(wanted, current):
    return APIError(
        504, "Timeout", f"Too large resource version: {wanted}, current: {current}",
        {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
         "retryAfterSeconds": 1},
    )



def internal(message):
    return APIError(500, "InternalError", f"Internal error occurred: {message}")


def exception_handler(exc, context):
    """DRF hook: authentication and permission failures become Status too."""
    from rest_framework import exceptions

    if isinstance(exc, APIError):
        return exc.response()
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return unauthorized().response()
    if isinstance(exc, exceptions.PermissionDenied):
        return forbidden(str(exc.detail)).response()
    if isinstance(exc, exceptions.APIException):
        phrase = HTTPStatus(exc.status_code).phrase.replace(" ", "")
        return APIError(exc.status_code, phrase, str(exc.detail)).response()
    return None
