"""Authorization happens in ``authz.filters`` before a view runs (with
audit and impersonation, as kube-apiserver's filter chain); DRF only
checks that the filters let the request through."""
from rest_framework.permissions import BasePermission


class KubernetesAuthorization(BasePermission):
    def has_permission(self, request, view):
        return request.user is not None
