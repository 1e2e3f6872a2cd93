"""The HTTP side of the API: the generic resource view (``views``), discovery and
OpenAPI documents and the views that serve them."""
