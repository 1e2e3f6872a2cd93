"""Server-side printing: the columns ``kubectl get`` shows (``printers``) and the
meta.k8s.io Table built from them (``tables``)."""
