"""Access reviews and identity reviews: SubjectAccessReview,
LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview
(authorization.k8s.io/v1), SelfSubjectReview and TokenReview
(authentication.k8s.io/v1). Each create answers with the request object
and its computed status; nothing is stored."""

from authz import authentication, authorizer, serviceaccounts
from authz.rbac import MASTERS, Attributes, RuleResolver, StoredPolicy
from authz.user import UserInfo
from kubeapi.conf import conf
from resources.kinds.core import invalid
from resources.machinery import errors
from resources.machinery.clock import now_rfc3339

AUTHZ = "authorization.k8s.io"



def _spec(body):
    spec = body.get("spec")
    return spec if isinstance(spec, dict) else {}


def _attributes(user, spec):
    resource = spec.get("resourceAttributes")
    if isinstance(resource, dict):
        return Attributes(user, resource.get("verb") or "", True, resource.get("namespace") or "",
                          resource.get("group") or "", resource.get("version") or "*",
                          resource.get("resource") or "", resource.get("subresource") or "",
                          resource.get("name") or "")
    non_resource = spec.get("nonResourceAttributes") or {}
    return Attributes(user, non_resource.get("verb") or "", False, path=non_resource.get("path") or "")


def _validate_attributes(spec, kind):
    has_resource = isinstance(spec.get("resourceAttributes"), dict)
    has_non_resource = isinstance(spec.get("nonResourceAttributes"), dict)
    if has_resource and has_non_resource:
        return [invalid("spec.nonResourceAttributes", spec["nonResourceAttributes"],
                        "cannot be specified in combination with resourceAttributes")]
    if not has_resource and not has_non_resource:
        return [invalid("spec.resourceAttributes", None,
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified")]
    return []


def _decide(tenant, attrs):
    allowed, reason = authorizer.authorize(tenant, attrs)
    status = {"allowed": allowed}
    if allowed and MASTERS not in attrs.user.groups:
        reason = authorizer.explain(tenant, attrs)
    if reason:
        status["reason"] = reason
    return status


def _answer(body, kind, status, namespace=""):
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    if namespace:
        meta["namespace"] = namespace
    return {"kind": kind, "apiVersion": f"{AUTHZ}/v1", "metadata": meta, "spec": _spec(body), "status": status}


def self_subject_access_review(ctx, info, body):
    spec = _spec(body)
    causes = _validate_attributes(spec, "SelfSubjectAccessReview")
    if causes:
        raise errors.invalid(AUTHZ, "SelfSubjectAccessReview", "", causes)
    return _answer(body, "SelfSubjectAccessReview", _decide(ctx.tenant, _attributes(ctx.user, spec)))


def subject_access_review(ctx, info, body, kind="SubjectAccessReview"):
    spec = _spec(body)
    causes = _validate_attributes(spec, kind)
    if not spec.get("user") and not spec.get("groups"):
        causes.append(invalid("spec.user", spec.get("user") or "", "at least one of user or group must be specified"))
    if kind == "LocalSubjectAccessReview":
        resource = spec.get("resourceAttributes")
        if isinstance(spec.get("nonResourceAttributes"), dict):
            causes.append(invalid("spec.nonResourceAttributes", spec["nonResourceAttributes"],
                                  "disallowed on this kind of request"))
        if isinstance(resource, dict) and (resource.get("namespace") or "") != info.namespace:
            causes.append(invalid("spec.resourceAttributes.namespace", resource.get("namespace") or "",
                                  "must match metadata.namespace"))
        meta_ns = (body.get("metadata") or {}).get("namespace")
        if meta_ns and meta_ns != info.namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                     "on the request")
    if causes:
        raise errors.invalid(AUTHZ, kind, (body.get("metadata") or {}).get("name") or "", causes)
    extra = {k: list(v) for k, v in (spec.get("extra") or {}).items()}
    subject = UserInfo(spec.get("user") or "", spec.get("uid") or "", tuple(spec.get("groups") or ()), extra)
    return _answer(body, kind, _decide(ctx.tenant, _attributes(subject, spec)), info.namespace)


def local_subject_access_review(ctx, info, body):
    return subject_access_review(ctx, info, body, "LocalSubjectAccessReview")


def self_subject_rules_review(ctx, info, body):
    spec = _spec(body)
    namespace = spec.get("namespace") or ""
    user = ctx.user
    resource_rules, non_resource_rules = [], []
    rules, problems = RuleResolver(StoredPolicy(ctx.tenant)).rules_for(user, namespace)
    for rule in rules:
        if rule.get("resources"):
            out = {"verbs": list(rule.get("verbs") or []), "apiGroups": list(rule.get("apiGroups") or []),
                   "resources": list(rule.get("resources") or [])}
            if rule.get("resourceNames"):
                out["resourceNames"] = list(rule["resourceNames"])
            resource_rules.append(out)
        if rule.get("nonResourceURLs"):
            non_resource_rules.append({"verbs": list(rule.get("verbs") or []),
                                       "nonResourceURLs": list(rule["nonResourceURLs"])})
    status = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": bool(problems)}
    if problems:
        status["evaluationError"] = "[" + ", ".join(problems) + "]" if len(problems) > 1 else problems[0]
    return _answer(body, "SelfSubjectRulesReview", status)


def _user_info(user):
    out = {"username": user.name}
    if user.uid:
        out["uid"] = user.uid
    if user.groups:
        out["groups"] = list(user.groups)
    if user.extra:
        out["extra"] = {k: list(v) for k, v in user.extra.items()}
    return out


def self_subject_review(ctx, info, body):
    meta = dict(body.get("metadata") or {})
    meta["creationTimestamp"] = now_rfc3339()
    return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": meta,
            "status": {"userInfo": _user_info(ctx.user)}}


def token_review(ctx, info, body):
    spec = _spec(body)
    token = spec.get("token") or ""
    wanted = [a for a in spec.get("audiences") or [] if isinstance(a, str)]
    status = {"authenticated": False, "user": {}}
    user = None
    if token:
        try:
            user = authentication.token_user(ctx.tenant, token)
        except serviceaccounts.InvalidToken as exc:
            status["error"] = str(exc)
    audiences = list(conf.audiences)
    if user is not None and wanted:
        audiences = [a for a in wanted if a in audiences]
        if not audiences:
            user = None
            status["error"] = "token audiences are invalid for the requested audiences"
    if user is not None:
        user = authentication._authenticated(user)
        status = {"authenticated": True, "user": _user_info(user), "audiences": audiences}
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    return {"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "metadata": meta, "spec": spec,
            "status": status}
