"""History compaction (etcd's periodic revision compactor).

Every pass records each tenant's counter with the time (``RevisionMark``)
and compacts history up to the newest mark older than the retention window
(default 5 minutes), never touching the newest revisions (default 1,000).
``SQLStorage.compact`` keeps, for every key, its newest row at or below the
compaction point unless it is a deletion, so list-at-revision still works
for revisions after the point. One worker compacts at a time (a
PostgreSQL advisory lock); the others skip the pass.
"""
import logging
from datetime import timedelta

from django.utils import timezone

from kubeapi.conf import conf
from resources.models import Tenant
from resources.store import storage
from watch.models import RevisionMark

log = logging.getLogger(__name__)

LOCK = "kubeapi:compact-history"


def compact_tenant(tenant, retention_seconds, retain_revisions, now=None):
    """One tenant's pass; returns (compaction point or None, rows deleted)."""

    now = now or timezone.now()
    current = storage.current_revision(tenant)
    RevisionMark.objects.create(tenant=tenant, revision=current, recorded=now)
    mark = (RevisionMark.objects.filter(tenant=tenant, recorded__lte=now - timedelta(seconds=retention_seconds))
            .order_by("-recorded", "-revision").first())
    if mark is None:
        return None, 0
    RevisionMark.objects.filter(tenant=tenant, recorded__lt=mark.recorded).delete()
    target = min(mark.revision, current - retain_revisions)
    if target <= storage.compacted_revision(tenant):
        return None, 0
    return target, storage.compact(tenant, target)


def compact_history(retention_seconds=None, retain_revisions=None):
    """Compact every tenant's history; skipped when another worker is at it."""

    if retention_seconds is None:
        retention_seconds = conf.watch_retention_seconds
    if retain_revisions is None:
        retain_revisions = conf.watch_retain_revisions
    if not storage.try_advisory_lock(LOCK):
        return None
    try:
        done = {}
        for tenant in Tenant.objects.values_list("name", flat=True):
            point, deleted = compact_tenant(tenant, retention_seconds, retain_revisions)
            if point is not None:
                done[tenant] = (point, deleted)
                log.info("compacted history of tenant %s up to revision %s (%s rows)", tenant, point, deleted)
        return done
    finally:
        storage.advisory_unlock(LOCK)
