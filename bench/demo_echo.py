"""The floor of bench/demo_year.py: for each of the five services, a bare nameko service of the same
name with the same RPC method names, answering every call at once with nothing
(`nameko run bench.demo_echo`): what the demo's calls cost on the bus alone."""

from nameko.rpc import rpc

# modules, not classes: `nameko run` would start every service class in this module's namespace
from services.assessment import service as assessment
from services.compensation import service as compensation
from services.escalation import service as escalation
from services.intake import service as intake
from services.notify import service as notify


def _rpc_methods(cls) -> list[str]:
    return sorted(
        name
        for name in dir(cls)
        if any(
            type(e).__name__.endswith("Rpc") for e in getattr(getattr(cls, name), "nameko_entrypoints", ())
        )
    )


def _echo_service(cls):
    methods = {name: rpc(lambda self, *args, **kwargs: None) for name in _rpc_methods(cls)}
    return type(f"{cls.__name__}Echo", (), {"name": cls.name, **methods})


IntakeEcho, EscalationEcho, AssessmentEcho, CompensationEcho, NotifyEcho = (
    _echo_service(cls)
    for cls in (
        intake.IntakeService,
        escalation.EscalationService,
        assessment.AssessmentService,
        compensation.CompensationService,
        notify.NotifyService,
    )
)
