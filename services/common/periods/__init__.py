"""Periods: what the period services (assessment, compensation) are made of.

Owns the period service base (service), its tables and RPC schemas (models, schemas), the
projection of intake's records and the period's facts read from it (factstore, stored_facts),
closed, versioned sheets (ledger), the wait for intake before a close (catch_up) and what a
close does around the plugin's computation (period_run).

May import every other room of services.common; nothing there imports it.
"""
