"""GET of the non-resource API paths: discovery (/api, /apis, /api/v1,
/apis/<g>, /apis/<g>/<v>) and OpenAPI (/openapi/v2, /openapi/v3[/<gv>])."""
from django.http import HttpResponse

from resources.endpoints import discovery, openapi
from resources.machinery import errors
from resources.machinery.encoding import dump_json
from resources.registry import customresources


def _not_found():
    return errors.APIError(404, "NotFound", "the server could not find the requested resource")


def _response(doc, content_type="application/json", etag=None):
    response = HttpResponse(dump_json(doc), content_type=content_type)
    response["Vary"] = "Accept"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def serve(request, info):
    registry = customresources.for_tenant(info.tenant, fresh=True)  # a CRD just written is discoverable
    parts = [p for p in info.path.strip("/").split("/") if p]
    if parts and parts[0] == "openapi":
        return _openapi(request, registry, parts[1:])
    accept = request.META.get("HTTP_ACCEPT", "")
    if parts in (["api"], ["apis"]):
        doc, content_type = discovery.discovery(registry, parts[0], accept, request.get_host())
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
    if rest == ["v2"]:
        if "protobuf" in request.META.get("HTTP_ACCEPT", ""):
            body, etag = openapi.v2_protobuf(registry)
            content_type = openapi.CONTENT_TYPE_V2_PROTOBUF
        else:
            body, etag = openapi.v2_json(registry)
            content_type = "application/json"
        response = HttpResponse(body, content_type=content_type)
        response["ETag"] = f'"{etag}"'
        return response
    if rest == ["v3"]:
        return _response(openapi.v3_index(registry))
    if len(rest) >= 2 and rest[0] == "v3":
        path = "/".join(rest[1:])
        built = openapi.v3_json(registry, path)
        if built is None:
            raise _not_found()
        body, etag = built
        wanted = request.GET.get("hash")
        if wanted and wanted != etag:
            # Stale hash: point at the current document, as upstream does.
            prefix = request.path[: request.path.index("/openapi/")]
            response = HttpResponse(status=301)
            response["Location"] = f"{prefix}/openapi/v3/{path}?hash={etag}"
            return response
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = f'"{etag}"'
        if wanted:
            response["Cache-Control"] = "public, immutable"
        else:
            response["Cache-Control"] = "no-cache, private"
        return response
    raise _not_found()
