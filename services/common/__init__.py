"""Service plumbing the five services share (a plugin author never needs it), in four rooms,
each importing only those below it:

    periods/     the period service base (assessment, compensation), ledgers, facts, catch-up
    mixins.py    what every service class mixes in: parked events, the audit trail, access picture
    messaging/   RPC and event entrypoints, publishers, subscriber queues, dead letters
    access/      who may do what: the pure rules and the per-call guard
    storage/     the database, migrations, the unit of work, outbox, audit trail, locks
"""
