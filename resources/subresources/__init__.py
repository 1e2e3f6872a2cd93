"""Subresources, as objects a ResourceType declares (upstream's StatusREST,
ScaleREST, BindingREST, FinalizeREST).

A subresource is a view of its parent object: ``view`` turns the parent (in
the served version) into what GET, PUT and PATCH of the subresource answer;
``into`` turns a body of the subresource's kind back into the new parent.
The generic view, patch and store code only ever call these hooks, so the
meaning of ``/scale`` or ``/status`` lives here and nowhere else:

- ``base.Subresource``: the declaration (name, verbs, kind, group-version)
  and the identity hooks; ``create`` for action subresources (pods/binding).
- ``status.Status``: the whole object, written through the strategy's
  ``prepare_for_status_update``.
- ``scale.Scale``: an autoscaling/v1 Scale over the parent's replicas, at
  the paths the type declares (built-ins ``.spec.replicas``; custom
  resources their CRD's ``specReplicasPath`` / ``statusReplicasPath`` /
  ``labelSelectorPath``).
"""
