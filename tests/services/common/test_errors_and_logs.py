"""Every RPC answers a SuiteError, never SQL or a stack; the detail goes to a JSON log line with the
service, entrypoint and correlation id — with the logging the services ship (config.yaml)."""

import io
import json
import logging
import logging.config

import pytest
import yaml
from nameko.cli.main import setup_yaml_parser
from sqlalchemy.exc import OperationalError

from kamkit.errors import Internal, InvalidFacts, NotFound, Unavailable
from services.common.messaging.entrypoints import api

SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


class Faulty:
    name = "faulty"

    @api
    def crash(self):
        {}["secret_column"]  # a bug: KeyError, with text a caller must not see

    @api
    def database_down(self):
        raise OperationalError("SELECT salary FROM people", {}, Exception("connection refused"))

    @api
    def refuse(self, amount):
        raise InvalidFacts("x" * 100_000, field="amount")


@pytest.fixture
def shipped_logging(request):
    """The LOGGING of a service's config.yaml, writing to a buffer."""
    setup_yaml_parser()
    with open(f"services/{request.param}/config.yaml") as f:
        config = yaml.safe_load(f)["LOGGING"]
    early = logging.getLogger("kam.created.before.config")  # must not be silenced by the config
    logging.config.dictConfig(config)
    buffer = io.StringIO()
    logging.getLogger().handlers[0].stream = buffer
    yield request.param, buffer, early
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})


@pytest.mark.parametrize("shipped_logging", SERVICES, indirect=True)
def test_shipped_logging_is_one_json_line_per_record_and_hides_nothing(shipped_logging):
    service, buffer, early = shipped_logging
    from services.common.messaging.entrypoints import as_suite_error

    try:
        {}["secret_column"]
    except KeyError as exc:
        import sys

        error = as_suite_error(
            exc,
            service=service,
            entrypoint=f"{service}.crash",
            correlation_id="c-123",
            exc_info=sys.exc_info(),
        )
    early.error("from a logger made before the config")
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert isinstance(error, Internal) and error.correlation_id == "c-123"
    first = lines[0]
    assert first["service"] == service and first["level"] == "ERROR"
    assert first["entrypoint"] == f"{service}.crash" and first["correlation_id"] == "c-123"
    assert "secret_column" in first["traceback"]  # the detail is in the log ...
    assert "secret_column" not in str(error)  # ... and not in the answer
    assert lines[1]["message"] == "from a logger made before the config"


def test_rpc_answers_are_suite_errors_without_sql_or_stack(start_service, rpc):
    start_service(Faulty)
    with pytest.raises(Internal) as exc:
        rpc.faulty.crash()
    assert exc.value.correlation_id.startswith("faulty.crash.")
    assert "secret_column" not in str(exc.value.errors) and "Traceback" not in str(exc.value.errors)
    with pytest.raises(Unavailable) as exc:
        rpc.faulty.database_down()
    assert "SELECT" not in str(exc.value.errors) and "salary" not in str(exc.value.errors)
    with pytest.raises(InvalidFacts) as exc:
        rpc.faulty.refuse(1)
    assert exc.value.errors[0]["field"] == "amount" and len(exc.value.errors[0]["message"]) < 400
    with pytest.raises(InvalidFacts) as exc:  # wrong arguments: named, not nameko's own error
        rpc.faulty.refuse()
    assert exc.value.errors[0]["field"] == "arguments"
    with pytest.raises(NotFound) as exc:
        rpc.faulty.no_such_method()
    assert exc.value.errors[0]["field"] == "method"
