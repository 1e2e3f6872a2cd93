"""Built-in kinds. Importing this package registers every one of them in
``resources.registry.builtin``."""
from resources.kinds import (  # noqa: F401  (imported for their registrations)
    apiextensions,
    apps,
    authentication,
    autoscaling,
    batch,
    coordination,
    core,
    events,
    networking,
    policy,
    rbac,
    scheduling,
    storage,
)
