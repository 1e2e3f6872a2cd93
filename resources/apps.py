from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Kubernetes resources"

    def ready(self):
        import resources.kinds  # noqa: F401  (registers the built-in kinds)
        from resources.registry import customresources

        customresources.install()
