"""What the tests share: the one HTTP client of the API (``client``). The
server starter (``tests/conftest.py``), the per-kind declarations
(``tests/kinds.py``), kubectl and watch helpers move here next."""
