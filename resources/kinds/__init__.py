"""Built-in kinds: one module per API group with each kind's declaration,
strategy and validation (``TYPES``), and upstream's defaulting
(``defaults``). ``all.KINDS`` lists them in discovery order; the resources
app registers them once at start."""
