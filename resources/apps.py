from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Kubernetes resources"

    def ready(self):
        import resources.types  # noqa: F401  (registers the built-in kinds)
        from resources import customresources

        customresources.install()
