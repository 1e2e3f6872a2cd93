"""``manage.py compact``: compact watch history now (what the periodic task does)."""
from django.core.management.base import BaseCommand

from watch.tasks import compact_history


class Command(BaseCommand):
    help = "Trim watch history older than the retention window (etcd-style compaction)."

    def add_arguments(self, parser):
        parser.add_argument("--retention-seconds", type=float, default=None,
                            help="keep at least this much history (default KUBEAPI_WATCH_RETENTION_SECONDS, 300)")
        parser.add_argument("--retain-revisions", type=int, default=None,
                            help="never compact the newest N revisions (default KUBEAPI_WATCH_RETAIN_REVISIONS, 1000)")

    def handle(self, *args, **opts):
        done = compact_history(opts["retention_seconds"], opts["retain_revisions"])
        if done is None:
            self.stdout.write("another worker is compacting; nothing done")
            return
        for tenant, (point, deleted) in sorted(done.items()):
            self.stdout.write(f"{tenant}: compacted up to revision {point}, {deleted} history rows removed")
        if not done:
            self.stdout.write("nothing to compact")
