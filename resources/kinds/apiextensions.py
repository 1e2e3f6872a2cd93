"""apiextensions.k8s.io/v1: CustomResourceDefinitions
(``apiextensions-apiserver/pkg/registry/customresourcedefinition`` and
``pkg/apis/apiextensions/validation``).

A CRD is an ordinary stored kind; what it defines is served by
``resources.registry.customresources`` (the per-tenant registry overlay). The
status the upstream controllers keep (names accepted, established, stored
versions) is set here on every write; the cleanup of a deleted CRD's
objects runs in ``resources.registry.customresources.cleanup_all``.
"""
import copy
import json

from resources.machinery import validation as v
from resources.machinery.clock import now_rfc3339
from resources.registry import ResourceType
from resources.registry.strategy import Strategy
from resources.schema import structural as crschema
from resources.subresources.status import STATUS

GROUP = "apiextensions.k8s.io"
PLURAL = "customresourcedefinitions"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
SCOPES = ("Cluster", "Namespaced")
COLUMN_TYPES = ("integer", "number", "string", "boolean", "date")


def _map(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _str(value):
    return value if isinstance(value, str) else ""


def storage_version(crd):
    for version in _list(_map(crd.get("spec")).get("versions")):
        if isinstance(version, dict) and version.get("storage") is True:
            return version.get("name") or ""
    return ""


def set_condition(status, ctype, cstatus, reason, message):
    """SetCRDCondition: lastTransitionTime moves only when the status does."""
    conditions = [c for c in _list(status.get("conditions")) if isinstance(c, dict)]
    for cond in conditions:
        if cond.get("type") == ctype:
            if cond.get("status") != cstatus:
                cond["lastTransitionTime"] = now_rfc3339()
            cond.update(status=cstatus, reason=reason, message=message)
            break
    else:
        conditions.append({"type": ctype, "status": cstatus, "lastTransitionTime": now_rfc3339(),
                           "reason": reason, "message": message})
    status["conditions"] = conditions


def _go_versions(versions):
    # Upstream prints the Go structs (%#v); the JSON says the same, shorter.
    return v.GoLiteral(json.dumps(versions, separators=(",", ":"), sort_keys=True))


class CustomResourceDefinitionStrategy(Strategy):
    has_status = True
    tracks_generation = True

    # -------------------------------------------------------------- defaults
    def _default(self, obj):
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return
        names = spec.get("names")
        if isinstance(names, dict):
            if not names.get("singular") and isinstance(names.get("kind"), str):
                names["singular"] = names["kind"].lower()
            if not names.get("listKind") and isinstance(names.get("kind"), str) and names["kind"]:
                names["listKind"] = names["kind"] + "List"
        if not isinstance(spec.get("conversion"), dict):
            spec["conversion"] = {"strategy": "None"}
        elif not spec["conversion"].get("strategy"):
            spec["conversion"]["strategy"] = "None"

    def _accept(self, obj):
        """What the naming and establishing controllers write: the names are
        accepted (no conflict detection across CRDs), the CRD is established
        and its storage version is recorded."""
        spec = _map(obj.get("spec"))
        status = obj.setdefault("status", {})
        if not isinstance(status, dict):
            status = obj["status"] = {}
        status["acceptedNames"] = copy.deepcopy(_map(spec.get("names")))
        set_condition(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found")
        set_condition(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
        stored = [s for s in _list(status.get("storedVersions")) if isinstance(s, str)]
        current = storage_version(obj)
        if current and current not in stored:
            stored.append(current)
        status["storedVersions"] = stored

    def prepare_for_create(self, obj, ctx):
        super().prepare_for_create(obj, ctx)
        self._default(obj)
        self._accept(obj)

    def prepare_for_update(self, obj, old, ctx):
        super().prepare_for_update(obj, old, ctx)
        self._default(obj)
        if not _map(obj.get("metadata")).get("deletionTimestamp"):
            self._accept(obj)

    def prepare_for_status_update(self, obj, old, ctx):
        super().prepare_for_status_update(obj, old, ctx)

    def blocks_deletion(self, obj):
        # The first delete only marks the CRD: its objects go first (finalizer).
        return not _map(obj.get("metadata")).get("deletionTimestamp")

    def prepare_for_delete(self, obj, ctx):
        meta = obj.setdefault("metadata", {})
        finalizers = list(meta.get("finalizers") or [])
        if CLEANUP_FINALIZER not in finalizers:
            finalizers.append(CLEANUP_FINALIZER)
        meta["finalizers"] = finalizers
        status = obj.setdefault("status", {})
        set_condition(status, "Terminating", "True", "InstanceDeletionPending",
                      "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon")

    # ------------------------------------------------------------ validation
    def validate(self, obj, ctx):
        spec = _map(obj.get("spec"))
        meta = _map(obj.get("metadata"))
        errs = []
        names = _map(spec.get("names"))
        group = _str(spec.get("group"))
        name = _str(meta.get("name"))
        if name and name != f"{_str(names.get('plural'))}.{group}":
            errs.append(v.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
        if _protected(group) and "api-approved.kubernetes.io" not in _map(meta.get("annotations")):
            errs.append(v.required('metadata.annotations[api-approved.kubernetes.io]',
                                   'protected groups must have approval annotation "api-approved.kubernetes.io", '
                                   "see https://github.com/kubernetes/enhancements/pull/1111"))
        errs += self._validate_spec(spec, names, group)
        errs += _validate_names(_map(_map(obj.get("status")).get("acceptedNames")), "status.acceptedNames")
        return errs

    def _validate_spec(self, spec, names, group):
        errs = []
        if not group:
            errs.append(v.required("spec.group", ""))
        elif v.is_dns1123_subdomain(group):
            errs.append(v.invalid("spec.group", group, ",".join(v.is_dns1123_subdomain(group))))
        elif "." not in group:
            errs.append(v.invalid("spec.group", group, "should be a domain with at least one dot"))
        scope = spec.get("scope")
        if not scope:
            errs.append(v.required("spec.scope", ""))
        elif scope not in SCOPES:
            errs.append(v.not_supported("spec.scope", scope, SCOPES))

        versions = _list(spec.get("versions"))
        storage, served, seen, unique = 0, 0, set(), True
        for i, version in enumerate(versions):
            version = _map(version)
            path = f"spec.versions[{i}]"
            vname = _str(version.get("name"))
            storage += version.get("storage") is True
            served += version.get("served") is True
            if vname in seen:
                unique = False
            seen.add(vname)
            for msg in v.is_dns1035_label(vname):
                errs.append(v.invalid(f"{path}.name", vname, msg))
            schema = _map(version.get("schema")).get("openAPIV3Schema")
            if schema is None:
                errs.append(v.required(f"{path}.schema.openAPIV3Schema", "schemas are required"))
            else:
                errs += crschema.structural_errors(schema, f"{path}.schema.openAPIV3Schema")
            errs += _validate_subresources(_map(version.get("subresources")), f"{path}.subresources")
            for j, column in enumerate(_list(version.get("additionalPrinterColumns"))):
                errs += _validate_column(_map(column), f"{path}.additionalPrinterColumns[{j}]")
        if not unique:
            errs.append(v.invalid("spec.versions", _go_versions(versions), "must contain unique version names"))
        if storage != 1:
            errs.append(v.invalid("spec.versions", _go_versions(versions),
                                  "must have exactly one version marked as storage version"))
        if versions and not served:
            errs.append(v.invalid("spec.versions", _go_versions(versions),
                                  "must have at least one version marked as served"))

        for field in ("plural", "singular", "kind", "listKind"):
            if not names.get(field):
                errs.append(v.required(f"spec.names.{field}", ""))
        errs += _validate_names(names, "spec.names")
        conversion = _map(spec.get("conversion"))
        strategy = conversion.get("strategy")
        if strategy not in ("None", "Webhook"):
            errs.append(v.not_supported("spec.conversion.strategy", strategy, ("None", "Webhook")))
        return errs

    def validate_update(self, obj, old, ctx):
        errs = self.validate(obj, ctx)
        spec, old_spec = _map(obj.get("spec")), _map(old.get("spec"))
        names, old_names = _map(spec.get("names")), _map(old_spec.get("names"))
        established = any(_map(c).get("type") == "Established" and _map(c).get("status") == "True"
                          for c in _list(_map(old.get("status")).get("conditions")))
        if established:
            if spec.get("scope") != old_spec.get("scope"):
                errs.append(v.invalid("spec.scope", spec.get("scope"), v.FIELD_IMMUTABLE))
            if names.get("kind") != old_names.get("kind"):
                errs.append(v.invalid("spec.names.kind", names.get("kind"), v.FIELD_IMMUTABLE))
        if spec.get("group") != old_spec.get("group"):
            errs.append(v.invalid("spec.group", spec.get("group"), v.FIELD_IMMUTABLE))
        if names.get("plural") != old_names.get("plural"):
            errs.append(v.invalid("spec.names.plural", names.get("plural"), v.FIELD_IMMUTABLE))
        defined = {_map(ver).get("name") for ver in _list(spec.get("versions"))}
        for i, stored in enumerate(_list(_map(obj.get("status")).get("storedVersions"))):
            if stored not in defined:
                errs.append(v.invalid(f"status.storedVersions[{i}]", stored, "must appear in spec.versions"))
        return errs


def _protected(group):
    return any(group == d or group.endswith("." + d) for d in ("k8s.io", "kubernetes.io"))


def _validate_names(names, path):
    errs = []
    for field in ("plural", "singular"):
        value = _str(names.get(field))
        if value:
            msgs = v.is_dns1035_label(value)
            if msgs:
                errs.append(v.invalid(f"{path}.{field}", value, ",".join(msgs)))
    for field in ("kind", "listKind"):
        value = _str(names.get(field))
        if value:
            msgs = v.is_dns1035_label(value.lower())
            if msgs:
                errs.append(v.invalid(f"{path}.{field}", value,
                                      "may have mixed case, but should otherwise match: " + ",".join(msgs)))
    for i, short in enumerate(_list(names.get("shortNames"))):
        msgs = v.is_dns1035_label(_str(short))
        if msgs:
            errs.append(v.invalid(f"{path}.shortNames[{i}]", short, ",".join(msgs)))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        errs.append(v.invalid(f"{path}.listKind", names.get("listKind"), "kind and listKind may not be the same"))
    for i, category in enumerate(_list(names.get("categories"))):
        msgs = v.is_dns1035_label(_str(category))
        if msgs:
            errs.append(v.invalid(f"{path}.categories[{i}]", category, ",".join(msgs)))
    return errs


def _validate_subresources(subresources, path):
    errs = []
    scale = subresources.get("scale")
    if isinstance(scale, dict):
        spec_path = _str(scale.get("specReplicasPath"))
        status_path = _str(scale.get("statusReplicasPath"))
        if not spec_path:
            errs.append(v.required(f"{path}.scale.specReplicasPath", ""))
        elif not spec_path.startswith(".spec."):
            errs.append(v.invalid(f"{path}.scale.specReplicasPath", spec_path, "should be a json path under .spec"))
        if not status_path:
            errs.append(v.required(f"{path}.scale.statusReplicasPath", ""))
        elif not status_path.startswith(".status."):
            errs.append(v.invalid(f"{path}.scale.statusReplicasPath", status_path,
                                  "should be a json path under .status"))
        selector = scale.get("labelSelectorPath")
        if selector and not (selector.startswith(".spec.") or selector.startswith(".status.")):
            errs.append(v.invalid(f"{path}.scale.labelSelectorPath", selector,
                                  "should be a json path under either .spec or .status"))
    return errs


def _validate_column(column, path):
    errs = []
    if not column.get("name"):
        errs.append(v.required(f"{path}.name", ""))
    ctype = column.get("type")
    if not ctype:
        errs.append(v.required(f"{path}.type", ""))
    elif ctype not in COLUMN_TYPES:
        errs.append(v.not_supported(f"{path}.type", ctype, COLUMN_TYPES))
    if column.get("format") and column["format"] not in ("int32", "int64", "float", "double", "byte", "date",
                                                          "date-time", "password"):
        errs.append(v.not_supported(f"{path}.format", column["format"],
                                    ("int32", "int64", "float", "double", "byte", "date", "date-time", "password")))
    if not column.get("jsonPath"):
        errs.append(v.required(f"{path}.jsonPath", ""))
    return errs


def _types():
    types = [
        ResourceType(
            group=GROUP, version="v1", kind="CustomResourceDefinition", plural=PLURAL, namespaced=False,
            short_names=("crd",), categories=("api-extensions",), subresources=(STATUS,),
            strategy=CustomResourceDefinitionStrategy(),
            # Served types follow CRD writes at once in this process (other
            # processes within KUBEAPI_CRD_REFRESH_SECONDS, or on first miss).
            after_write="resources.registry.customresources.crd_written",
        ),
    ]
    return types


TYPES = tuple(_types())
