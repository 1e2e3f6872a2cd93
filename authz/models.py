"""What authz keeps in the database besides the RBAC objects themselves.

RBAC objects (Roles, bindings) are ordinary API objects in the generic
object table and the source of truth. They are compiled into
django-guardian object permissions:

* the *object* of a grant is a ``Scope``: a tenant (what a
  ClusterRoleBinding grants), a namespace of a tenant (a RoleBinding), or
  one object name within either (a rule with ``resourceNames``);
* the *permission* is a ``django.contrib.auth`` Permission on Scope whose
  codename encodes verb, API group and resource (``authz.grants``);
* the *holder* is a Django User (RBAC users and ServiceAccounts) or Group.

So "who may list pods in namespace x" is one guardian query, in the API
and in the admin.
"""
from django.conf import settings
from django.db import models


class Scope(models.Model):
    """Where a grant applies. ``key`` is ``tenant``, ``tenant/namespace``,
    ``tenant/namespace/name`` or ``tenant/*/name`` (a name in every
    namespace and at the cluster scope)."""

    key = models.CharField(max_length=255, primary_key=True)
    tenant = models.CharField(max_length=63, db_index=True)
    namespace = models.CharField(max_length=63, blank=True, help_text='"" for the whole tenant, "*" for every namespace')
    name = models.CharField(max_length=253, blank=True, help_text='"" for every object')

    class Meta:
        ordering = ("key",)

    def __str__(self):
        return self.key


class RBACState(models.Model):
    """Per tenant: how far the compiled grants have caught up with the
    tenant's revisions, and a generation that changes (to a new random
    value) whenever grants change; decision caches key on it."""

    tenant = models.CharField(max_length=63, primary_key=True)
    revision = models.BigIntegerField(default=0)
    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "RBAC compilation state"


class CompiledBinding(models.Model):
    """What a RoleBinding or ClusterRoleBinding was compiled with: which
    role it names and whom it binds. Lets a change to a role or a binding
    recompile only the subjects it touches."""

    tenant = models.CharField(max_length=63)
    kind = models.CharField(max_length=32)  # RoleBinding | ClusterRoleBinding
    namespace = models.CharField(max_length=63, blank=True)
    name = models.CharField(max_length=253)
    role_kind = models.CharField(max_length=32)
    role_name = models.CharField(max_length=253)
    # [["User" | "Group", name], ...]: ServiceAccounts as their user names.
    subjects = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "namespace", "name"],
                                               name="authz_compiled_binding_key")]
        indexes = [models.Index(fields=["tenant", "role_kind", "role_name"], name="authz_binding_role")]


class ControllerCursor(models.Model):
    """The last revision of a tenant a background controller has handled."""

    tenant = models.CharField(max_length=63)
    controller = models.CharField(max_length=64)
    revision = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "controller"], name="authz_cursor_key")]


class APIToken(models.Model):
    """A bearer token an operator created for a Django user. Only a hash of
    the token is stored; the token itself is shown once."""

    PREFIX = "kubeapi_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    description = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"

    def __str__(self):
        return f"{self.user} ({self.description or self.digest[:8]})"
