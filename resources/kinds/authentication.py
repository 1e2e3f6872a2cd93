"""authentication.k8s.io/v1 and authorization.k8s.io/v1: the review kinds.

They are created, never stored: a create answers with the object and its
computed status, by the ``authz.reviews`` function each declares.
"""
from resources.registry import ResourceType
from resources.registry.strategy import Strategy
from resources.kinds.core import _table

CREATE_ONLY = ("create",)


def _types():
    types = [
        ResourceType(group="authentication.k8s.io", version="v1", kind="TokenReview", plural="tokenreviews",
                     namespaced=False, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.token_review", **_table("TokenReview")),
        ResourceType(group="authentication.k8s.io", version="v1", kind="SelfSubjectReview",
                     plural="selfsubjectreviews", namespaced=False, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.self_subject_review", **_table("SelfSubjectReview")),
        ResourceType(group="authorization.k8s.io", version="v1", kind="LocalSubjectAccessReview",
                     plural="localsubjectaccessreviews", namespaced=True, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.local_subject_access_review", **_table("LocalSubjectAccessReview")),
        ResourceType(group="authorization.k8s.io", version="v1", kind="SelfSubjectAccessReview",
                     plural="selfsubjectaccessreviews", namespaced=False, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.self_subject_access_review", **_table("SelfSubjectAccessReview")),
        ResourceType(group="authorization.k8s.io", version="v1", kind="SelfSubjectRulesReview",
                     plural="selfsubjectrulesreviews", namespaced=False, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.self_subject_rules_review", **_table("SelfSubjectRulesReview")),
        ResourceType(group="authorization.k8s.io", version="v1", kind="SubjectAccessReview",
                     plural="subjectaccessreviews", namespaced=False, strategy=Strategy(), verbs=CREATE_ONLY,
                     create_handler="authz.reviews.subject_access_review", **_table("SubjectAccessReview")),
    ]
    return types


TYPES = tuple(_types())
