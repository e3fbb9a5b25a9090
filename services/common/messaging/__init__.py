"""Messaging: how the services talk over RabbitMQ.

Owns the RPC and event entrypoints every service uses (entrypoints: ``api``, ``handles`` with
retries through delay queues and dead letters), who may publish what (origin), the subscriber
queues a publisher declares (topology, read from the services' handlers), parked events
(deadletter), which failures are outages (faults), RPC argument checking (rpc, rpc_fields) and
structured logs (logs).

May import services.common.storage and .access; never .periods or .mixins.
"""
