"""The generic store (``generic.Store``) and the storage under it, the only code
that writes SQL (``interface.Storage``, implemented by ``sql.SQLStorage``)."""
from resources.store.sql import SQLStorage

storage = SQLStorage()
