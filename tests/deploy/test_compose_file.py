"""docker-compose.yml cannot be run here (no Docker engine), so check it by parsing."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "escalation", "assessment", "compensation", "notify")


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


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
        config = yaml.safe_load((ROOT / "services" / name / "config.yaml").read_text(encoding="utf-8"))
        assert config["DB_URIS"] == {f"{name}:Base": f"${{{name.upper()}_DATABASE_URL:sqlite:///var/{name}.db}}"}
        assert config["AMQP_URI"].startswith("${AMQP_URI:")
        assert set(spec["depends_on"]) == {"rabbitmq", "postgres"}
        # --scale needs no fixed container name and no published host port
        assert "container_name" not in spec and "ports" not in spec
        assert spec["build"] == "." and "healthcheck" in spec
    assert len(urls) == len(SERVICES), "services must not share a database"
    init = (ROOT / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    for url in urls:
        assert f"CREATE DATABASE {url.rsplit('/', 1)[1]};" in init
