"""GET of the non-resource API paths: discovery (/api, /apis, /api/v1,
/apis/<g>, /apis/<g>/<v>) and OpenAPI (/openapi/v2, /openapi/v3[/<gv>])."""
from django.http import HttpResponse

from resources import discovery, errors
from resources.encoding import dump_json
from resources.registry import builtin


def _not_found():
    return errors.APIError(404, "NotFound", "the server could not find the requested resource")


def _response(doc, content_type="application/json", etag=None):
    response = HttpResponse(dump_json(doc), content_type=content_type)
    response["Vary"] = "Accept"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def serve(request, info):
    registry = builtin.for_tenant(info.tenant)
    parts = [p for p in info.path.strip("/").split("/") if p]
    if parts and parts[0] == "openapi":
        return _openapi(request, registry, parts[1:])
    accept = request.META.get("HTTP_ACCEPT", "")
    if parts in (["api"], ["apis"]):
        doc, content_type = discovery.discovery(registry, parts[0], accept)
        if doc is None:
            raise errors.APIError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                                  + discovery.CONTENT_TYPE_AGGREGATED_V2)
        return _response(doc, content_type, discovery.etag(doc) if content_type != "application/json" else None)
    if parts[0] == "api" and len(parts) == 2:
        if parts[1] != "v1":
            raise _not_found()
        return _response(discovery.resource_list(registry, "", "v1"))
    if parts[0] == "apis" and len(parts) == 2:
        doc = discovery.group(registry, parts[1])
        if doc is None:
            raise _not_found()
        return _response(doc)
    if parts[0] == "apis" and len(parts) == 3:
        if parts[2] not in registry.group_versions().get(parts[1], []):
            raise _not_found()
        return _response(discovery.resource_list(registry, parts[1], parts[2]))
    raise _not_found()


def _openapi(request, registry, rest):
    from resources import openapi

    if rest == ["v2"]:
        return _response(openapi.v2(registry))
    if rest == ["v3"]:
        return _response(openapi.v3_index(registry))
    if len(rest) >= 2 and rest[0] == "v3":
        gv = "/".join(rest[1:])
        if gv.startswith("api/") and len(rest) == 3:
            group, version = "", rest[2]
        elif gv.startswith("apis/") and len(rest) == 4:
            group, version = rest[2], rest[3]
        else:
            raise _not_found()
        doc = openapi.v3(registry, group, version)
        if doc is None:
            raise _not_found()
        return _response(doc)
    raise _not_found()
