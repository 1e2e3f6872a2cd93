"""Kind-agnostic algorithms: Status errors, body codecs and wire formats, selectors,
patches, managedFields and server-side apply, generic validation."""
