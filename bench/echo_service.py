"""The floor of bench/intake_rpc.py: a bare nameko RPC service with intake's signatures that stores
nothing and answers at once (`nameko run --config services/intake/config.yaml bench.echo_service`)."""

from nameko.rpc import rpc


class IntakeEcho:
    name = "intake"  # callers address it exactly as they address intake

    @rpc
    def record_opportunity(self, business_line, opportunity, idempotency_key=None):
        return {
            "business_line": business_line,
            "kind": "opportunity",
            "key": opportunity.get("id"),
            "version": 1,
            "change": "created",
            "record": opportunity,
        }

    @rpc
    def register_business_line(self, line, idempotency_key=None):
        return line

    @rpc
    def register_branch(self, business_line, branch, idempotency_key=None):
        return branch

    @rpc
    def register_person(self, business_line, person, idempotency_key=None):
        return person
