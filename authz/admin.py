"""Django admin: users, groups, API tokens, and the RBAC grants compiled
into guardian.

Grants are read-only here: RBAC objects (Roles, bindings) are the source
of truth and are edited through the Kubernetes API.

Django users are Kubernetes identities (a superuser is in system:masters,
Django groups are Kubernetes groups: a group renamed ``system:masters``
makes its members cluster admins), so what grants rights is for
superusers alone: minting and changing API tokens, groups (names and
permissions), and a user's superuser, staff and active flags, name, groups
and permissions. Staff with ``change_user`` edit the other fields of users
who are neither staff nor superusers, and may revoke those users' tokens.
Permissions and guardian's object permissions have no admin pages."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from guardian.models import GroupObjectPermission, UserObjectPermission

from authz import tokens_api
from authz.models import APIToken, CompiledBinding, RBACState, Scope
from resources.admin import ReadOnly


def privileged(request, user):
    """A staff user (not a superuser) may not act on staff or superusers:
    that would let staff raise or lock out one another."""
    return not request.user.is_superuser and (user.is_superuser or user.is_staff)


class SuperuserWrites:
    """Rights-bearing rows: staff with view permission look, only
    superusers add, change or delete (whatever model permissions staff hold)."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class KubeGroupAdmin(SuperuserWrites, GroupAdmin):
    pass


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("user", "description", "created", "expires", "last_used")
    readonly_fields = ("user", "digest", "created", "last_used")  # moving a token to another user would mint one
    search_fields = ("user__username", "description")

    def has_add_permission(self, request):
        return False  # created with the user action (the token is shown once)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # a later (or no) expiry revives a token

    def has_delete_permission(self, request, obj=None):
        # Revoking is for staff too, except on staff's and superusers' tokens
        # (the bulk delete action asks this for each selected token).
        if obj is not None and privileged(request, obj.user):
            return False
        return super().has_delete_permission(request, obj)


def create_api_token(modeladmin, request, queryset):
    if not request.user.is_superuser:
        messages.error(request, "Only superusers may create API tokens.")
        return
    for user in queryset:
        token, _ = tokens_api.create(user, "created in the admin")
        messages.success(request, f"API token for {user.get_username()} (shown once): {token}")


create_api_token.short_description = "Create an API token (shown once)"

User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class KubeUserAdmin(UserAdmin):
    actions = [create_api_token]
    # is_active too: tokens of inactive users are refused, so activating revives them.
    RIGHTS = ("username", "is_superuser", "is_staff", "is_active", "groups", "user_permissions")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("create_api_token", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, *self.RIGHTS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and privileged(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and privileged(request, obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Scope)
class ScopeAdmin(ReadOnly):
    """Who may do what where: each scope with the guardian grants on it."""

    list_display = ("key", "tenant", "namespace", "name", "grants")
    list_filter = ("tenant",)
    search_fields = ("key",)
    readonly_fields = ("key", "tenant", "namespace", "name", "holders")

    @admin.display(description="grants")
    def grants(self, obj):
        return (UserObjectPermission.objects.filter(object_pk=obj.key).count()
                + GroupObjectPermission.objects.filter(object_pk=obj.key).count())

    @admin.display(description="holders")
    def holders(self, obj):
        from django.utils.html import format_html_join

        rows = [(f"User {p.user.username}", p.permission.name)
                for p in UserObjectPermission.objects.filter(object_pk=obj.key).select_related("user", "permission")]
        rows += [(f"Group {p.group.name}", p.permission.name)
                 for p in GroupObjectPermission.objects.filter(object_pk=obj.key).select_related("group", "permission")]
        return format_html_join("", "<div>{}: {}</div>", sorted(rows))


@admin.register(CompiledBinding)
class CompiledBindingAdmin(ReadOnly):
    list_display = ("tenant", "kind", "namespace", "name", "role_kind", "role_name")
    list_filter = ("tenant", "kind")
    search_fields = ("name", "role_name")


@admin.register(RBACState)
class RBACStateAdmin(ReadOnly):
    list_display = ("tenant", "revision", "generation")
