from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Kubernetes resources"

    def ready(self):
        import resources.types  # noqa: F401  (registers the built-in kinds)
        from resources import customresources, quota, tasks

        customresources.install()
        if quota.sync_all not in tasks.LOOP_HOOKS:
            tasks.LOOP_HOOKS.append(quota.sync_all)
