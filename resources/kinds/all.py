"""Every built-in kind, in discovery order (the order groups and resources
appear in /api and /apis)."""
from resources.kinds import (
    apiextensions, apps, authentication, autoscaling, batch, coordination, core, events, networking, policy, rbac,
    scheduling, storage,
)

MODULES = (apiextensions, core, apps, authentication, autoscaling, batch, coordination, events, networking, policy,
           rbac, scheduling, storage)


def register(registry):
    for module in MODULES:
        for rtype in module.TYPES:
            registry.register(rtype)
