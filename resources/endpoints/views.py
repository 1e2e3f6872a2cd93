"""The generic API view: every resource of every kind goes through here.

Cross-cutting work (authentication, authorization, Status errors, request
parsing, negotiation) happens once in ``KubeAPIView``; resource verbs map to
``Store`` calls. Nothing here knows a particular kind.
"""
import base64
import binascii
import json
from types import SimpleNamespace

from django.http import HttpResponse
from django.utils.module_loading import import_string
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from kubeapi import deadline, requestinfo
from kubeapi.conf import MAX_REQUEST_BYTES
from resources.endpoints import discovery_views
from resources.machinery import codecs, errors
from resources.machinery import patch as patching
from resources.machinery import selectors, strictdecode
from resources.machinery.encoding import dump_json
from resources.machinery.managedfields import manager_from_user_agent
from resources.machinery.validation import go_quote
from resources.printing import tables
from resources.registry import customresources, from_storage, tenants
from resources.registry.strategy import Context
from resources.schema import builtin as schemas
from resources.store.generic import Store


class _PassThrough(BaseContentNegotiation):
    """Kubernetes negotiates its own media types (Table, protobuf...)."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class KubeAPIView(APIView):
    """Base class: DRF authentication/permissions, Status errors, RequestInfo."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = _PassThrough

    def initial(self, request, *args, **kwargs):
        # authz.filters parsed it already (kube-apiserver's filter chain).
        request.kube = getattr(request._request, "kube", None) or requestinfo.parse(
            request.method, request.path, request.GET)
        super().initial(request, *args, **kwargs)
        tenants.ensure(request.kube.tenant)

    def handle_exception(self, exc):
        if isinstance(exc, errors.APIError):
            return exc.response()
        response = errors.exception_handler(exc, {})
        if response is not None:
            return response
        return super().handle_exception(exc)


def respond(obj, code=200, request=None, form="json"):
    if form == "yaml":
        body, ctype = codecs.encode(obj, "yaml")
    elif request is not None and request.GET.get("pretty") in ("true", "1"):
        body, ctype = json.dumps(obj, indent=2, ensure_ascii=False).encode() + b"\n", codecs.JSON
    else:
        body, ctype = dump_json(obj), codecs.JSON
    return HttpResponse(body, status=code, content_type=ctype)


def _bool_param(request, name):
    return request.GET.get(name) in ("true", "1")


class ResourceView(KubeAPIView):
    """/api/<v>/... and /apis/<g>/<v>/... resource requests."""

    def get(self, request, *args, **kwargs):
        info = request.kube
        if not info.is_resource_request:
            return discovery_views.serve(request, info)
        rtype = self._rtype(info)
        if info.verb == "get":
            return self._get(request, info, rtype)
        if info.verb == "watch":
            # kubeapi.asgi serves watches natively async (watch.stream); only a
            # WSGI-only deployment ends up here.
            raise errors.APIError(405, "MethodNotAllowed", "watch is served by the ASGI application (kubeapi.asgi)")
        return self._list(request, info, rtype)

    def post(self, request, *args, **kwargs):
        info = request.kube
        rtype = self._rtype(info)
        handler = rtype.subresource(info.subresource).create_handler if info.subresource else rtype.create_handler
        if handler and bool(info.name) == bool(info.subresource):
            ctx = self._context(request, info)
            return respond(import_string(handler)(ctx, info, self._body(request, info, rtype, ctx)), 201, request)
        if info.name and not info.subresource:
            raise errors.method_not_supported(rtype.group, rtype.plural, "create")
        ctx = self._context(request, info)
        obj = self._body(request, info, rtype, ctx)
        if info.subresource:
            # e.g. pods/binding: an action on the parent object.
            Store(customresources.for_tenant(info.tenant)).create_on_subresource(rtype, ctx, info.namespace, info.name, obj)
            return respond({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                           201, request)
        meta = obj.setdefault("metadata", {})
        rv = meta.get("resourceVersion")
        if isinstance(rv, str) and rv.isdigit() and int(rv):
            # Upstream's storage refuses this (with a 500): the body was read from the server.
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        if rtype.namespaced:
            self._check_namespace(info, meta)
        stored = Store(customresources.for_tenant(info.tenant)).create(rtype, ctx, obj)
        return self._object_response(request, rtype, stored, 201, ctx)

    def put(self, request, *args, **kwargs):
        info = request.kube
        rtype = self._rtype(info)
        if not info.name:
            raise errors.method_not_supported(rtype.group, rtype.plural, "update")
        ctx = self._context(request, info)
        obj = self._body(request, info, rtype, ctx)
        meta = obj.setdefault("metadata", {})
        if meta.get("name", info.name) != info.name:
            raise errors.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({info.name})"
            )
        meta["name"] = info.name
        if rtype.namespaced:
            self._check_namespace(info, meta)
        stored = Store(customresources.for_tenant(info.tenant)).update(rtype, ctx, info.namespace, info.name, obj)
        code = 201 if ctx.extra.get("created") else 200
        return self._object_response(request, rtype, stored, code, ctx, info.subresource)

    def delete(self, request, *args, **kwargs):
        info = request.kube
        rtype = self._rtype(info)
        if info.subresource:
            raise errors.method_not_supported(rtype.group, f"{rtype.plural}/{info.subresource}", "delete")
        ctx = self._context(request, info)
        options = self._delete_options(request)
        body_dry_run = options.get("dryRun") or []
        if body_dry_run:
            # DeleteOptions in the body (kubectl's --dry-run=server) count as the query would.
            for value in body_dry_run if isinstance(body_dry_run, list) else [body_dry_run]:
                if value != "All":
                    raise errors.bad_request(f'Invalid dry run value "{value}": only All is supported')
            ctx.dry_run = True
        store = Store(customresources.for_tenant(info.tenant))
        if not info.name:
            return self._delete_collection(request, info, rtype, ctx, options, store)
        obj, deleted = store.delete(rtype, ctx, info.namespace, info.name, options)
        if deleted and not rtype.return_deleted_object:
            meta = obj["metadata"]
            return respond({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": meta["name"], "group": rtype.group, "kind": rtype.plural, "uid": meta["uid"]},
            }, 200, request)
        return self._object_response(request, rtype, obj, 200, ctx)

    def patch(self, request, *args, **kwargs):
        info = request.kube
        rtype = self._rtype(info)
        ptype = codecs.media_type(request.content_type)
        accepted = patching.patch_types(rtype)
        if ptype not in accepted:
            raise errors.APIError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                  "accepted media types include: " + ", ".join(accepted))
        if not info.name:
            raise errors.method_not_supported(rtype.group, rtype.plural, "patch")
        if info.subresource and "patch" not in rtype.subresource(info.subresource).verbs:
            raise errors.method_not_supported(rtype.group, f"{rtype.plural}/{info.subresource}", "patch")
        ctx = self._context(request, info)
        if ptype == patching.APPLY_PATCH_YAML and not request.GET.get("fieldManager"):
            raise errors.invalid("meta.k8s.io", "PatchOptions", "", [
                ("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")])
        if ptype != patching.APPLY_PATCH_YAML and "force" in request.GET:
            raise errors.invalid("meta.k8s.io", "PatchOptions", "", [
                ("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch")])
        body = request._request.body
        if len(body) > MAX_REQUEST_BYTES:
            raise errors.too_large()
        mutate, create_missing = patching.make_mutator(rtype, info, ctx, ptype, body, request.GET)
        store = Store(customresources.for_tenant(info.tenant))
        stored, created = store.patch(rtype, ctx, info.namespace, info.name, mutate, create_missing)
        return self._object_response(request, rtype, stored, 201 if created else 200, ctx, info.subresource)

    # ------------------------------------------------------------ helpers
    def _rtype(self, info):
        registry = customresources.for_tenant(info.tenant)
        rtype = registry.get(info.api_group, info.api_version, info.resource)
        if rtype is None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        if rtype.namespaced is False and info.namespace and info.resource != "namespaces":
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        if info.subresource and rtype.subresource(info.subresource) is None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        if info.verb not in rtype.verbs and (info.verb in ("create", "update", "delete", "deletecollection", "patch")
                                             or (info.verb in ("get", "list", "watch") and not info.subresource)):
            raise errors.method_not_supported(rtype.group, rtype.plural, info.verb)
        return rtype

    def _context(self, request, info):
        dry_run = request.GET.getlist("dryRun")
        for value in dry_run:
            if value != "All":
                raise errors.bad_request(f'Invalid dry run value "{value}": only All is supported')
        validation_mode = request.GET.get("fieldValidation", "Warn") or "Warn"
        if validation_mode not in ("Strict", "Warn", "Ignore"):
            raise errors.bad_request(
                f"fieldValidation query parameter must be one of Strict, Warn, or Ignore, got {validation_mode!r}"
            )
        manager = request.GET.get("fieldManager", "")
        options = {"POST": "CreateOptions", "PATCH": "PatchOptions"}.get(request.method, "UpdateOptions")
        if len(manager) > 128:
            raise errors.invalid("meta.k8s.io", options, "", [
                ("fieldManager", "FieldValueTooLong", f"Too long: may not be more than 128 bytes")])
        bad = [(i, ch) for i, ch in enumerate(manager) if not ch.isprintable()]
        if bad:
            raise errors.invalid("meta.k8s.io", options, "", [
                ("fieldManager", "FieldValueInvalid",
                 f"Invalid value: {go_quote(manager)}: invalid character U+{ord(ch):04X} (at position {i})")
                for i, ch in bad])
        if not manager:
            # managerOrUserAgent: writes without fieldManager are recorded
            # under the client's User-Agent (up to its first "/").

            manager = manager_from_user_agent(request.META.get("HTTP_USER_AGENT", ""))
        return Context(
            tenant=info.tenant,
            namespace=info.namespace,
            user=request.user,
            dry_run=bool(dry_run),
            field_manager=manager,
            subresource=info.subresource,
            authorize=getattr(request._request, "kube_authorize", None),
            extra={"fieldValidation": validation_mode},
        )

    def _body(self, request, info, rtype, ctx):
        body = request._request.body
        if len(body) > MAX_REQUEST_BYTES:
            raise errors.too_large()
        if not body.strip():
            raise errors.bad_request("the body of the request was empty")
        obj = codecs.decode(body, request.content_type)
        # Subresources such as scale or binding speak their own kinds.
        group, version, expected_kind = rtype.group, rtype.version, rtype.kind
        if info.subresource:
            sub = rtype.subresource(info.subresource)
            group, version = sub.group_version_for(rtype)
            expected_kind = sub.kind_for(rtype)
        expected = f"{group}/{version}" if group else version
        # Like kube-apiserver's decoder, the endpoint's kind is the default
        # for a body that leaves apiVersion or kind out (typed clients do).
        api_version = obj.setdefault("apiVersion", expected) or expected
        kind = obj.setdefault("kind", expected_kind) or expected_kind
        obj["apiVersion"], obj["kind"] = api_version, kind
        if api_version != expected:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version ({expected})")
        if kind != expected_kind:
            raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({expected_kind})")
        if not isinstance(obj.get("metadata", {}), dict):
            raise errors.bad_request("metadata must be an object")
        ctx.extra["body"] = (body, request.content_type)
        defname = schemas.definition_name(group, version, kind)
        pruned = rtype.prune_unknown(obj) if defname is None else None
        if pruned is not None:
            # A custom resource: its CRD's schema says which fields are unknown.
            ctx.extra.pop("body")
            problems = [schemas.unknown_field_message(p) for p in pruned]
            if problems and ctx.extra["fieldValidation"] == "Strict":
                raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                                         "strict decoding error: " + ", ".join(problems))
            if ctx.extra["fieldValidation"] == "Warn":
                ctx.warnings.extend(problems)
            return obj
        self._field_validation(obj, defname, kind, version, ctx)
        return obj

    def _field_validation(self, obj, defname, kind, version, ctx):
        if not defname:
            return
        prefix = f'{kind} in version "{version}" cannot be handled as a {kind}: '
        decode_error = schemas.decode_error(obj, defname)
        if decode_error:
            raise errors.bad_request(prefix + decode_error)
        mode = ctx.extra["fieldValidation"]
        problems = [schemas.unknown_field_message(path) for path in schemas.unknown_fields(obj, defname)]
        body, content_type = ctx.extra.pop("body", (b"", ""))
        if mode != "Ignore" and body:
            # Repeated keys: the strict decoders' "duplicate field" complaints.

            ctype = codecs.media_type(content_type)
            if ctype in ("", codecs.JSON, "*/*") and strictdecode.has_duplicates_json(body):
                problems = strictdecode.json_strict_errors(body, defname)
            elif ctype in (codecs.YAML, "application/x-yaml", "text/yaml"):
                duplicates = strictdecode.yaml_duplicates_error(body)
                if duplicates:
                    problems.insert(0, duplicates)
        if not problems:
            return
        if mode == "Strict":
            raise errors.bad_request(prefix + "strict decoding error: " + ", ".join(problems))
        if mode == "Warn":
            ctx.warnings.extend(problems)
        schemas.prune_unknown(obj, defname)

    def _check_namespace(self, info, meta):
        body_ns = meta.get("namespace")
        if body_ns and info.namespace and body_ns != info.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if not info.namespace:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        meta["namespace"] = info.namespace

    def _delete_options(self, request):
        options = {}
        body = request._request.body
        if body.strip():
            options = codecs.decode(body, request.content_type)
        for name in ("propagationPolicy", "gracePeriodSeconds"):
            if name in request.GET:
                options[name] = request.GET[name]
        if "gracePeriodSeconds" in options:
            try:  # an int64, in the query or the body
                options["gracePeriodSeconds"] = int(options["gracePeriodSeconds"])
            except (TypeError, ValueError):
                raise errors.bad_request(f"invalid gracePeriodSeconds: {options['gracePeriodSeconds']!r}") from None
        if "orphanDependents" in request.GET:
            options["orphanDependents"] = request.GET["orphanDependents"] == "true"
        return options

    def _served(self, rtype, obj):
        obj = from_storage(rtype, obj)
        obj["apiVersion"] = rtype.group_version
        obj["kind"] = rtype.kind
        return obj

    def _object_response(self, request, rtype, obj, code, ctx=None, subresource=""):
        obj = self._served(rtype, obj)
        printed = rtype
        if subresource:
            sub = rtype.subresource(subresource)
            viewed = sub.view(rtype, obj)
            if viewed is not obj:  # another kind (a Scale): printed with the default columns
                obj, printed = viewed, SimpleNamespace(kind=sub.kind_for(rtype), columns=(), row=None, to_storage=None)
        form, version = codecs.negotiate(request.META.get("HTTP_ACCEPT"))
        if form == "table":
            obj = tables.table(printed, [obj], request, version)
        response = respond(obj, code, request, form)
        if ctx is not None:
            _warnings(response, ctx.warnings)
        return response

    def _get(self, request, info, rtype):
        store = Store(customresources.for_tenant(info.tenant))
        stored = store.get(rtype, Context(tenant=info.tenant), info.namespace, info.name)
        form, version = codecs.negotiate(request.META.get("HTTP_ACCEPT"))
        if info.subresource:
            return self._object_response(request, rtype, json.loads(stored.data), 200, subresource=info.subresource)
        if form == "json" and rtype.from_storage is None and "pretty" not in request.GET:
            return HttpResponse(stored.data, content_type=codecs.JSON)  # the stored bytes, as they are
        return self._object_response(request, rtype, json.loads(stored.data), 200)

    def _list(self, request, info, rtype):
        q = request.GET
        label_reqs = selectors.parse_label_selector(q.get("labelSelector", ""))
        field_reqs = selectors.parse_field_selector(q.get("fieldSelector", ""))
        for key, _, _ in field_reqs:
            if key not in ("metadata.name", "metadata.namespace") and key not in rtype.selectable_fields:
                raise errors.bad_request(f'field label not supported: {key}')
        limit = _int_param(q, "limit")
        revision, after, at_least = _list_revision(q, limit)
        store = Store(customresources.for_tenant(info.tenant))
        try:
            result = store.list(rtype, Context(tenant=info.tenant), info.namespace, label_reqs, field_reqs,
                                limit, after, revision)
        except errors.APIError as exc:
            if exc.code == 410 and after is not None:
                raise expired_continue(rtype, store, info, after) from None
            raise
        deadline.check()
        if at_least and result.revision < at_least:
            raise errors.too_large_resource_version(at_least, result.revision)
        meta = {"resourceVersion": str(result.revision)}
        if result.continue_from is not None:
            meta["continue"] = encode_continue(result.revision, result.continue_from)
        form, version = codecs.negotiate(request.META.get("HTTP_ACCEPT"))
        if form == "json" and rtype.from_storage is None and "pretty" not in q:
            # Stream the stored bytes: no decode/encode per item.
            head = dump_json({"kind": f"{rtype.kind}List", "apiVersion": rtype.group_version, "metadata": meta})
            body = head[:-1] + b',"items":[' + ",".join(result.items).encode() + b"]}"
            return HttpResponse(body, content_type=codecs.JSON)
        items = [self._served(rtype, json.loads(item)) for item in deadline.checked(result.items)]
        if form == "table":
            table = tables.table(rtype, items, request, version)
            table["metadata"] = meta
            return respond(table, 200, request)
        return respond({"kind": f"{rtype.kind}List", "apiVersion": rtype.group_version, "metadata": meta,
                        "items": items}, 200, request, form)

    def _delete_collection(self, request, info, rtype, ctx, options, store):
        label_reqs = selectors.parse_label_selector(request.GET.get("labelSelector", ""))
        field_reqs = selectors.parse_field_selector(request.GET.get("fieldSelector", ""))
        result = store.list(rtype, ctx, info.namespace, label_reqs, field_reqs)
        deleted = []
        for item in result.items:
            meta = json.loads(item)["metadata"]
            try:
                obj, _ = store.delete(rtype, ctx, meta.get("namespace", ""), meta["name"], options)
            except errors.APIError as exc:
                if exc.code == 404:
                    continue  # deleted meanwhile
                raise
            deleted.append(self._served(rtype, obj))
        return respond({"kind": f"{rtype.kind}List", "apiVersion": rtype.group_version,
                        "metadata": {"resourceVersion": str(result.revision)}, "items": deleted}, 200, request)


def _warnings(response, warnings):
    if warnings:
        response.headers["Warning"] = ", ".join(
            '299 - "' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in dict.fromkeys(warnings)
        )


def _int_param(q, name):
    raw = q.get(name, "")
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise errors.bad_request(f"invalid {name} {raw!r}: must be an integer") from None
    if value >= 2**63:
        raise errors.bad_request(f"invalid {name} {raw!r}: value out of range")
    # No list holds 2**31 items; the bound keeps LIMIT n + 1 inside SQL's integers.
    return min(max(value, 0), 2**31)


# -------------------------------------------------------------- list paging
def encode_continue(revision, after):
    token = json.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": list(after)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def decode_continue(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("v") != "meta.k8s.io/v1":
            raise ValueError("unsupported version")
        revision = int(data["rv"])
        ns, name = data["start"]
        if revision <= 0 or not isinstance(ns, str) or not isinstance(name, str) or "\x00" in ns + name:
            raise ValueError("bad start")
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") from None
    return revision, (ns, name)


def expired_continue(rtype, store, info, after):
    """410 for a continue token whose snapshot was compacted. As upstream,
    the Status carries a fresh token that continues from the same key at
    the latest revision (an inconsistent but complete continuation)."""
    latest = store.list(rtype, Context(tenant=info.tenant), info.namespace, limit=1).revision
    exc = errors.expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new "
        "list without the continue parameter, or use the continue token in this response to retrieve the "
        "remainder of the results. Continuing with the provided token results in an inconsistent list - "
        "objects that were created, modified, or deleted between the time the first chunk was returned and "
        "now may show up in the list."
    )
    exc.list_meta = {"continue": encode_continue(latest, after)}
    return exc


def _list_revision(q, limit):
    """Resource version semantics of a list: returns (exact revision or 0 for
    the latest, continue-after key, minimum revision for NotOlderThan)."""
    rv = q.get("resourceVersion", "")
    match = q.get("resourceVersionMatch", "")
    token = q.get("continue", "")
    if match and match not in ("Exact", "NotOlderThan"):
        raise errors.bad_request(f'resourceVersionMatch: Unsupported value: "{match}"')
    if token:
        if rv and rv != "0":
            raise errors.bad_request("specifying resource version is not allowed when using continue")
        if match:
            raise errors.bad_request("resourceVersionMatch is forbidden when continue is provided")
        return (*decode_continue(token), 0)
    if match and not rv:
        raise errors.bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided")
    if rv in ("", "0"):
        if match == "Exact" and rv == "0":
            raise errors.bad_request('resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        return 0, None, 0
    try:
        if not rv.isdigit():  # an unsigned 64-bit integer, as upstream parses it
            raise ValueError(rv)
        revision = int(rv)
    except ValueError:
        raise errors.bad_request(f"invalid resource version: {rv}") from None
    if match == "Exact" or (not match and limit):
        return revision, None, 0
    return 0, None, revision

