"""The test suite is a package, so that pytest imports its modules by one
name (``tests.conftest``, ``tests.kinds``, ...): a helper module imported
as ``conftest`` by one file and ``tests.conftest`` by another would be two
modules, each with its own state."""
