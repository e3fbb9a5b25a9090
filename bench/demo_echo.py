"""The floor of bench/demo.py: for each of the five services, a bare nameko service of the same
name with the same RPC method names, answering every call at once with nothing
(`nameko run bench.demo_echo`): what the demo's calls cost on the bus alone."""
from nameko.rpc import rpc

from services.assessment.service import AssessmentService
from services.compensation.service import CompensationService
from services.escalation.service import EscalationService
from services.intake.service import IntakeService
from services.notify.service import NotifyService


def _rpc_methods(cls) -> list[str]:
    return sorted(name for name in dir(cls) if any(
        type(e).__name__.endswith("Rpc") for e in getattr(getattr(cls, name), "nameko_entrypoints", ())))


def _echo_service(cls):
    methods = {name: rpc(lambda self, *args, **kwargs: None) for name in _rpc_methods(cls)}
    return type(f"{cls.__name__}Echo", (), {"name": cls.name, **methods})


IntakeEcho, EscalationEcho, AssessmentEcho, CompensationEcho, NotifyEcho = (
    _echo_service(cls) for cls in (IntakeService, EscalationService, AssessmentService, CompensationService,
                                   NotifyService))
