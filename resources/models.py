"""The three tables that replace etcd.

Nothing outside ``resources.store`` writes to them; the models exist for
migrations and the Django admin.
"""
from django.db import models


class Tenant(models.Model):
    """A logical cluster. Its row is also the revision counter: every write
    transaction bumps ``revision`` as its last statement, so the row lock
    orders commits and a rollback gives the number back."""

    name = models.CharField(max_length=63, primary_key=True)
    revision = models.BigIntegerField(default=1)
    # History at or below this revision has been compacted away.
    compacted_revision = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "kube_tenant"

    def __str__(self):
        return self.name


class StoredObject(models.Model):
    """The current state of every object of every kind, built-in or custom."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, db_column="tenant", to_field="name")
    api_group = models.CharField(max_length=253, blank=True)
    resource = models.CharField(max_length=253)
    namespace = models.CharField(max_length=63, blank=True)
    name = models.CharField(max_length=253)
    uid = models.CharField(max_length=36)
    resource_version = models.BigIntegerField()
    # Encoded JSON of the object in its storage version, resourceVersion included,
    # so reads stream these bytes without re-encoding.
    data = models.TextField()
    labels = models.JSONField(default=dict)
    # Values of the kind's selectable fields (spec.nodeName, status.phase, ...).
    fields = models.JSONField(default=dict)

    class Meta:
        db_table = "kube_object"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "api_group", "resource", "namespace", "name"], name="kube_object_key"
            )
        ]
        indexes = [models.Index(fields=["tenant", "resource_version"], name="kube_object_rv")]
        verbose_name = "object"

    def __str__(self):
        return f"{self.resource}/{self.namespace + '/' if self.namespace else ''}{self.name}"


class History(models.Model):
    """One row per revision: the event and the object as it was written.
    Serves watch replay and list-at-revision; compaction trims it."""

    pk = models.CompositePrimaryKey("tenant", "revision")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, db_column="tenant", to_field="name")
    revision = models.BigIntegerField()
    api_group = models.CharField(max_length=253, blank=True)
    resource = models.CharField(max_length=253)
    namespace = models.CharField(max_length=63, blank=True)
    name = models.CharField(max_length=253)
    event_type = models.CharField(max_length=8)  # ADDED, MODIFIED, DELETED
    data = models.TextField()
    labels = models.JSONField(default=dict)
    fields = models.JSONField(default=dict)

    class Meta:
        db_table = "kube_history"
        indexes = [
            models.Index(fields=["tenant", "api_group", "resource", "revision"], name="kube_history_resource"),
        ]
        verbose_name_plural = "history"
