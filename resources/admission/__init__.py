"""Admission: what runs on a write after decoding and before storage, beyond one
kind's own strategy (``chain``), and the quota plugins (``quota``)."""
