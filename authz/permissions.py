"""Authorization. Until RBAC lands every authenticated user is allowed;
unauthenticated requests are refused with 401."""
from rest_framework.permissions import BasePermission


class KubernetesAuthorization(BasePermission):
    def has_permission(self, request, view):
        return request.user is not None
