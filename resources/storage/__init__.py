"""Storage: the only code that writes SQL. See ``interface.Storage``."""
from resources.storage.interface import Key, ListResult, Storage, StoredEvent, StoredObject  # noqa: F401
from resources.storage.sql import SQLStorage

storage = SQLStorage()
