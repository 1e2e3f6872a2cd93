from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "watch"
    verbose_name = "Watch streams"

    def ready(self):
        # The embedded server runs history compaction on its background timer
        # (Celery beat runs ``watch.compact_history`` in production).
        from resources import tasks
        from watch.tasks import embedded_compaction

        hooks = getattr(tasks, "LOOP_HOOKS", None)
        if hooks is not None and embedded_compaction not in hooks:
            hooks.append(embedded_compaction)
