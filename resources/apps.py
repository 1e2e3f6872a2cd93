from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Kubernetes resources"

    def ready(self):
        import resources.kinds  # noqa: F401  (registers the built-in kinds)
        from resources.registry import customresources
        from resources.admission import quota
        from resources import tasks

        customresources.install()
        if quota.sync_all not in tasks.LOOP_HOOKS:
            tasks.LOOP_HOOKS.append(quota.sync_all)
