"""How the background loops of ``resources.loops.LOOPS`` run: one Celery
task that runs a loop by name (the beat schedule in ``kubeapi.settings``
names each), or the embedded timer of a server process without a broker."""
import logging
import threading
import time

from celery import shared_task
from django.db import close_old_connections

from resources.loops import LOOPS, by_name

log = logging.getLogger(__name__)


@shared_task(name="resources.run_loop")
def run_loop(name):
    return by_name(name).run()


def start_embedded_loops(tick=1.0):
    """Run the loops on a daemon thread, each when its interval has passed.
    Returns the event that ends it."""
    stop = threading.Event()

    def loop():
        last_run = {}
        while not stop.wait(tick):
            close_old_connections()
            for each in LOOPS:
                now = time.monotonic()
                if now - last_run.get(each.name, float("-inf")) < each.interval():
                    continue
                last_run[each.name] = now
                try:
                    each.run()
                except Exception:  # a failed pass must not end the loop, nor skip the others
                    log.exception("background loop %s failed", each.name)

    threading.Thread(target=loop, name="kubeapi-background", daemon=True).start()
    return stop
