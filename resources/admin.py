"""Django admin: operators browse tenants and every stored object, of every
kind, read-only (writes go through the API so strategies and revisions
apply). Only superusers see Secret values; staff see their keys."""
import json

from django.contrib import admin
from django.utils.html import format_html

from resources.machinery.managedfields import LAST_APPLIED
from resources.models import StoredObject, Tenant


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(ReadOnly):
    list_display = ("name", "revision", "compacted_revision", "created")


@admin.register(StoredObject)
class StoredObjectAdmin(ReadOnly):
    list_display = ("resource", "api_group", "namespace", "name", "resource_version", "tenant")
    list_filter = ("tenant", "api_group", "resource")
    search_fields = ("name", "namespace", "uid")
    ordering = ("tenant", "api_group", "resource", "namespace", "name")
    exclude = ("data",)
    readonly_fields = ("tenant", "api_group", "resource", "namespace", "name", "uid", "resource_version",
                       "labels", "fields", "body")

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return tuple("redacted_body" if f == "body" else f for f in self.readonly_fields)

    @admin.display(description="object")
    def body(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(json.loads(obj.data), indent=2))

    @admin.display(description="object")
    def redacted_body(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(redact(obj.api_group, obj.resource, json.loads(obj.data)),
                                                       indent=2))




def redact(group, resource, body):
    """A Secret as staff may see it: its keys, not their values (nor the
    copy kubectl keeps in the last-applied annotation)."""
    if group != "" or resource != "secrets":
        return body
    body = dict(body)
    for field in ("data", "stringData"):
        if isinstance(body.get(field), dict):
            body[field] = {key: "(redacted)" for key in body[field]}
    annotations = (body.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        body["metadata"] = {**body["metadata"], "annotations": {**annotations, LAST_APPLIED: "(redacted)"}}
    return body
