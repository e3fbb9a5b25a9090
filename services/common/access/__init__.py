"""Access: who may do what, decided in the service that holds the data.

``rules`` is pure (roles per business line, the action each RPC is, API tokens); ``guard`` keeps
a service's picture of the principals intake announced and decides on one call, writing each
refusal to the audit trail.

May import services.common.storage; never .messaging, .periods or .mixins (the RPC entrypoint
in messaging calls the guard, not the other way round).
"""
