"""Django admin: operators browse tenants and every stored object, of every
kind, read-only (writes go through the API so strategies and revisions
apply)."""
import json

from django.contrib import admin
from django.utils.html import format_html

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

    @admin.display(description="object")
    def body(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(json.loads(obj.data), indent=2))
