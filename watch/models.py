from django.db import models


class RevisionMark(models.Model):
    """A tenant's counter as seen at a moment. Compaction trims history up to
    the newest mark older than the retention window, as etcd's periodic
    revision compactor does: history rows carry no time of their own."""

    tenant = models.CharField(max_length=63)
    revision = models.BigIntegerField()
    recorded = models.DateTimeField()

    class Meta:
        db_table = "kube_revision_mark"
        indexes = [models.Index(fields=["tenant", "recorded"], name="kube_revision_mark_time")]

    def __str__(self):
        return f"{self.tenant}@{self.revision}"
