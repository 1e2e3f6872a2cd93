"""The Celery app: the background loops of ``resources.loops.LOOPS``
(namespace finalization, garbage collection, compaction ...), each on the
beat schedule generated here from that list. In the embedded default the
server runs the same list on a timer instead."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

app = Celery("kubeapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["resources"])


@app.on_after_configure.connect
def schedule_loops(sender, **kwargs):
    from resources.loops import LOOPS

    for loop in LOOPS:
        sender.add_periodic_task(loop.interval(), sender.signature("resources.run_loop", args=(loop.name,)),
                                 name=loop.name)
