"""/scale: an autoscaling/v1 Scale over the parent's replica count
(upstream's ScaleREST of each workload, and the custom resource one).

The parent declares where the numbers live: built-in workloads at
``.spec.replicas`` / ``.status.replicas`` with the selector printed from
``spec.selector``; a custom resource at its CRD's ``specReplicasPath``,
``statusReplicasPath`` and ``labelSelectorPath``.
"""
import copy
from dataclasses import dataclass
from typing import Callable

from resources.machinery import errors
from resources.machinery import selectors
from resources.machinery.validation import invalid
from resources.subresources.base import Subresource

SCALE_METADATA = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


def path_keys(path):
    """``.spec.replicas`` → ["spec", "replicas"] (CRD paths are simple)."""
    return [key for key in (path or "").split(".") if key]


def get_path(obj, path):
    value = obj
    for key in path_keys(path):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def set_path(obj, path, value):
    """Set (or, for None, remove) the field at ``path``, making the maps on
    the way."""
    keys = path_keys(path)
    if not keys:
        return
    node = obj
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def workload_selector(obj):
    """Scale.status.selector of a built-in workload: its spec.selector as
    labels.Selector.String() prints it. A ReplicationController's selector
    is a plain map (SelectorFromSet)."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return ""
    if obj.get("kind") == "ReplicationController" or (
            selector and "matchLabels" not in selector and "matchExpressions" not in selector):
        selector = {"matchLabels": selector}
    try:
        return selectors.selector_to_string(selectors.label_selector_from_dict(selector))
    except errors.APIError:  # not a valid selector: nothing to print
        return ""


def _replicas(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class Scale(Subresource):
    name: str = "scale"
    kind: str = "Scale"
    group: str | None = "autoscaling"
    version: str | None = "v1"
    spec_replicas_path: str = ".spec.replicas"
    status_replicas_path: str = ".status.replicas"
    # How Scale.status.selector is read: a path (custom resources) or a
    # function of the parent (built-ins); neither → no selector.
    label_selector_path: str = ""
    selector: Callable | None = None

    def view(self, rtype, parent):
        meta = parent.get("metadata") if isinstance(parent.get("metadata"), dict) else {}
        status = {"replicas": _replicas(get_path(parent, self.status_replicas_path))}
        if self.selector is not None:
            status["selector"] = self.selector(parent)
        elif self.label_selector_path:
            selector = get_path(parent, self.label_selector_path)
            if isinstance(selector, str) and selector:
                status["selector"] = selector
        return {
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in SCALE_METADATA if k in meta},
            "spec": {"replicas": _replicas(get_path(parent, self.spec_replicas_path))},
            "status": status,
        }

    @staticmethod
    def _spec_replicas(scale):
        spec = scale.get("spec")
        return spec.get("replicas", 0) if isinstance(spec, dict) else 0

    def check(self, rtype, body, name):
        """ValidateScale: what kube-apiserver checks before reading the parent."""
        replicas = self._spec_replicas(body)
        if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas < 0:
            raise errors.invalid("autoscaling", "Scale", name,
                                 [invalid("spec.replicas", replicas, "must be greater than or equal to 0")])

    def into(self, rtype, parent, body, name):
        """The parent with the Scale's replicas, and the Scale's uid and
        resourceVersion as preconditions."""
        self.check(rtype, body, name)
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        parent_meta = parent.get("metadata") or {}
        if meta.get("uid") and meta["uid"] != parent_meta.get("uid"):
            raise errors.conflict(rtype.group, f"{rtype.plural}/scale", name,
                                  f"Precondition failed: UID in precondition: {meta['uid']}, "
                                  f"UID in object meta: {parent_meta.get('uid')}")
        new = copy.deepcopy(parent)
        set_path(new, self.spec_replicas_path, self._spec_replicas(body))
        new_meta = new.setdefault("metadata", {})
        if meta.get("resourceVersion"):
            new_meta["resourceVersion"] = meta["resourceVersion"]
        else:
            new_meta.pop("resourceVersion", None)
        return new

    def apply_config(self, rtype, config, name):
        """Apply to /scale: the Scale's replicas, as an apply configuration
        of the parent (the manager is recorded against the subresource)."""
        self.check(rtype, config, name)
        meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
        parent = {"apiVersion": rtype.group_version, "kind": rtype.kind,
                  "metadata": {k: v for k, v in meta.items() if k in ("name", "namespace", "resourceVersion", "uid")}}
        if isinstance(config.get("spec"), dict) and "replicas" in config["spec"]:
            set_path(parent, self.spec_replicas_path, config["spec"]["replicas"])
        return parent


WORKLOAD_SCALE = Scale(selector=workload_selector)
