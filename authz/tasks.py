"""authz's background work: the controllers of ``authz.controllers``
(Celery beat in production; the embedded loop otherwise)."""
from celery import shared_task


@shared_task(name="authz.sync_controllers")
def sync_controllers():
    from authz import controllers

    controllers.sync_all()
