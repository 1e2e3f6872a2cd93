"""Schemas: built-in kinds' (``builtin``, from kubernetes-validate) and custom
resources' structural schemas (``structural``)."""
