"""The server's own background loops, in the order one pass runs them.

Each is a function of no arguments that makes one pass over every tenant.
They run either on the embedded timer in the server process (no broker
needed: ``resources.tasks.start_embedded_loops``) or, with Celery, from the
beat schedule ``kubeapi.settings`` generates from this list
(``resources.tasks.run_loop``). Functions are named by dotted path because
the list spans apps that import this one (authz, watch).
"""
from dataclasses import dataclass

from django.utils.module_loading import import_string

from kubeapi.conf import conf


@dataclass(frozen=True)
class Loop:
    name: str  # the beat schedule's entry
    function: str  # dotted path of the function one pass calls
    every: float | str = 1.0  # seconds between passes, or the kubeapi.conf setting that holds them

    def interval(self):
        return getattr(conf, self.every) if isinstance(self.every, str) else self.every

    def run(self):
        return import_string(self.function)()


LOOPS = (
    Loop("finalize-namespaces", "resources.loops.namespaces.finalize_all"),
    Loop("collect-garbage", "resources.loops.garbage.collect_all"),
    Loop("cleanup-custom-resources", "resources.registry.customresources.cleanup_all"),
    Loop("sync-resource-quotas", "resources.admission.quota.sync_all"),
    Loop("authz-controllers", "authz.controllers.sync_all"),
    Loop("compact-history", "watch.tasks.compact_history", every="watch_compaction_interval"),
)


def by_name(name):
    return next(loop for loop in LOOPS if loop.name == name)
