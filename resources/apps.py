from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Kubernetes resources"

    def ready(self):
        from resources.kinds import all as kinds
        from resources.registry import builtin

        kinds.register(builtin)
