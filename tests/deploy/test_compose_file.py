"""docker-compose.yml cannot be run here (no Docker engine), so check it by parsing."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


class _AsWritten(yaml.SafeLoader):
    """The safe loader without what nameko's command line, once imported by another test, adds
    to it: an implicit ${VAR:default} expansion."""

    yaml_implicit_resolvers = {k: list(v) for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}


def _load(path):
    return yaml.load((ROOT / path).read_text(encoding="utf-8"), Loader=_AsWritten)


def compose():
    return _load("docker-compose.yml")["services"]


def test_broker_database_and_every_service_are_defined():
    services = compose()
    assert {"rabbitmq", "postgres", *SERVICES} <= set(services)
    for name in ("rabbitmq", "postgres"):
        assert "test" in services[name]["healthcheck"]


def test_each_service_has_its_own_database_and_can_scale():
    services = compose()
    urls = set()
    for name in SERVICES:
        spec = services[name]
        env = spec["environment"]
        assert env["SERVICE"] == name and (ROOT / "services" / name).is_dir()
        assert env["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672" in env["AMQP_URI"]
        url = env[f"{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql://")
        urls.add(url)
        # the service's nameko config reads exactly that variable for its own database
        config = _load(f"services/{name}/config.yaml")
        assert config["DB_URIS"] == {
            f"{name}:Base": f"${{{name.upper()}_DATABASE_URL:sqlite:///var/{name}.db}}"
        }
        assert config["AMQP_URI"].startswith("${AMQP_URI:")
        assert set(spec["depends_on"]) == {"rabbitmq", "postgres"}
        # --scale needs no fixed container name and no published host port
        assert "container_name" not in spec and "ports" not in spec
        assert spec["build"] == "." and "healthcheck" in spec
    assert len(urls) == len(SERVICES), "services must not share a database"
    init = (ROOT / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    for url in urls:
        assert f"CREATE DATABASE {url.rsplit('/', 1)[1]};" in init


def test_no_default_credential_and_no_management_port_published():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "guest" not in text and "kam:kam" not in text
    services = compose()
    rabbit, postgres = services["rabbitmq"], services["postgres"]
    # every credential is required from the environment: ${VAR:?message} makes compose refuse to start
    assert rabbit["environment"]["RABBITMQ_DEFAULT_USER"] == "${KAM_AMQP_USER:?set KAM_AMQP_USER}"
    assert rabbit["environment"]["RABBITMQ_DEFAULT_PASS"] == "${KAM_AMQP_PASSWORD:?set KAM_AMQP_PASSWORD}"
    assert postgres["environment"]["POSTGRES_USER"] == "${KAM_DB_USER:?set KAM_DB_USER}"
    assert postgres["environment"]["POSTGRES_PASSWORD"] == "${KAM_DB_PASSWORD:?set KAM_DB_PASSWORD}"
    for name in SERVICES:
        env = services[name]["environment"]
        assert (
            env["AMQP_URI"].startswith("amqp://${KAM_AMQP_USER:?")
            and "${KAM_AMQP_PASSWORD:?" in env["AMQP_URI"]
        )
        url = env[f"{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql://${KAM_DB_USER:?") and "${KAM_DB_PASSWORD:?" in url
    # the broker on the host's loopback only; the management UI only with the extra file
    assert rabbit["ports"] == ["127.0.0.1:5672:5672"]
    # the gateway: HTTP on loopback, its own config reading the address compose gives it
    gateway = services["gateway"]
    assert gateway["ports"] == ["127.0.0.1:8000:8000"] and gateway["environment"]["SERVICE"] == "gateway"
    assert gateway["environment"]["GATEWAY_ADDRESS"] == "0.0.0.0:8000"
    assert gateway["environment"]["AMQP_URI"].startswith("amqp://${KAM_AMQP_USER:?")
    assert _load("services/gateway/config.yaml")["WEB_SERVER_ADDRESS"] == "${GATEWAY_ADDRESS:127.0.0.1:8000}"
    assert "8000" in gateway["healthcheck"]["test"][-1]
    extra = _load("docker/management.yml")
    assert extra["services"]["rabbitmq"]["ports"] == ["127.0.0.1:15672:15672"]
    example = (ROOT / "docker" / "env.example").read_text(encoding="utf-8")
    assert {"KAM_AMQP_USER", "KAM_AMQP_PASSWORD", "KAM_DB_USER", "KAM_DB_PASSWORD"} <= {
        line.split("=")[0] for line in example.splitlines() if "=" in line and not line.startswith("#")
    }
