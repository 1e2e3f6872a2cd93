from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "authz"
    verbose_name = "Authentication and authorization"

    def ready(self):
        import resources.kinds  # noqa: F401  (the kinds the handlers attach to)
        from authz import controllers, escalation, policy, reviews, serviceaccounts
        from resources import tasks
        from resources.registry import tenants
        from resources.registry import builtin

        escalation.register()
        reviews.register()
        builtin.get("", "v1", "serviceaccounts").create_handlers["token"] = serviceaccounts.create_token

        def bootstrap(tenant):
            policy.ensure_defaults(tenant)
            controllers.sync(tenant)

        tenants.BOOTSTRAP_HOOKS.append(bootstrap)
        tasks.LOOP_HOOKS.append(controllers.sync_all)
