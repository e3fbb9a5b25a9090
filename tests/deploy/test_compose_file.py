"""docker-compose.yml cannot be run here (no Docker engine), so check it by parsing."""

import ast
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

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


# --- metrics, health, the cluster and monitoring profiles ------------------------------------------

SUITE = (*SERVICES, "gateway")
BROKERS = ("rabbitmq-1", "rabbitmq-2", "rabbitmq-3")
# what an alert's description may send the operator to (docs/operations.md)
DOCS_SECTIONS = {"parked-events": "Parked events", "failover": "Failover", "metrics": "Metrics"}

# The metrics the services serve, each with the labels it carries (docs/operations.md, "Metrics")
COUNTERS = {
    "kam_rpc_calls_total": {"service", "method", "outcome"},
    "kam_event_handled_total": {"service", "handler", "outcome"},
    "kam_events_published_total": {"service", "event_type"},
    "kam_closes_total": {"service", "period_kind", "outcome"},
    "kam_http_requests_total": {"service", "route", "status"},
}
GAUGES = {
    "kam_outbox_waiting": {"service"},
    "kam_parked_messages": {"service"},
    "kam_projection_lag_events": {"service"},
    "kam_ready": {"service"},
}
HISTOGRAMS = {
    "kam_rpc_seconds": {"service", "method"},
    "kam_event_handler_seconds": {"service", "handler"},
    "kam_close_seconds": {"service", "period_kind"},
    "kam_http_request_seconds": {"service", "route"},
}
# the series a query can name: a histogram only as its _bucket, _sum and _count
KAM_SERIES = {
    **COUNTERS,
    **GAUGES,
    **{f"{name}_bucket": labels | {"le"} for name, labels in HISTOGRAMS.items()},
    **{f"{name}_{part}": labels for name, labels in HISTOGRAMS.items() for part in ("sum", "count")},
}
TARGET_LABELS = {"job", "instance"}  # what Prometheus adds to every series it scrapes
RABBITMQ_LABELS = {"queue", "vhost", "rabbitmq_node", "rabbitmq_cluster"}
KNOWN_LABELS = set().union(*KAM_SERIES.values()) | TARGET_LABELS | RABBITMQ_LABELS
PROMQL_FUNCTIONS = {
    "sum", "min", "max", "avg", "count", "topk", "bottomk", "quantile", "rate", "irate", "increase",
    "delta", "deriv", "histogram_quantile", "label_replace", "vector", "absent", "min_over_time",
    "max_over_time", "avg_over_time", "clamp_min", "clamp_max", "abs", "round", "sort_desc", "scalar",
}  # fmt: skip
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset"}
GROUPING = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"


def promql(expr: str) -> tuple[set, set]:
    """The series names and the job names a PromQL expression refers to. Fails on a function PromQL
    lacks (a typo), a kam_ series not in the list above (a bare histogram name included), a label a
    series does not carry, a grouping by a label no series has."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string arguments (label_replace) say nothing
    names, jobs = set(), set()
    for name, matchers in re.findall(r"(?<![\w.$])([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}", text):
        labels = re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers)
        if name in KAM_SERIES:
            assert set(labels) <= KAM_SERIES[name] | TARGET_LABELS, (name, labels, expr)
        else:
            assert set(labels) <= KNOWN_LABELS, (name, labels, expr)
    for matcher in re.findall(r'job\s*(?:=~|=)\s*"([^"]*)"', expr):
        jobs.update(matcher.split("|"))
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges: [5m], [$__rate_interval]
    for grouping in re.findall(GROUPING, text):
        labels = {label.strip() for label in grouping.split(",") if label.strip()}
        assert labels <= KNOWN_LABELS | {"le"}, (labels, expr)
    text = re.sub(GROUPING, " ", text)
    for word, call in re.findall(r"(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?", text):
        if word in PROMQL_WORDS:
            continue
        if call:
            assert word in PROMQL_FUNCTIONS, (word, expr)
        else:
            names.add(word)
    for name in names:
        assert name in KAM_SERIES or name.startswith("rabbitmq_") or name == "up", (name, expr)
    return names, jobs


def bind_mounts(spec) -> dict:
    """Container path -> the file or folder of this repository mounted there."""
    mounts = {}
    for volume in spec.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = ROOT / source
    return mounts


def prometheus_targets() -> dict:
    """job_name -> its targets as host:port, from static targets or DNS names with their port."""
    jobs = {}
    for job in _load("docker/prometheus.yml")["scrape_configs"]:
        targets = [t for static in job.get("static_configs", []) for t in static["targets"]]
        targets += [f"{n}:{dns['port']}" for dns in job.get("dns_sd_configs", []) for n in dns["names"]]
        jobs[job["job_name"]] = targets
    return jobs


def commented(key: str) -> list[str]:
    """The values of `# cluster: KEY: value` lines of docker-compose.yml: what the cluster profile
    asks to uncomment, each a valid YAML line once uncommented."""
    values = []
    for line in (ROOT / "docker-compose.yml").read_text(encoding="utf-8").splitlines():
        match = re.match(rf"\s*# cluster: ({key}:\s.*)$", line)
        if match:
            values.append(yaml.load(match.group(1), Loader=_AsWritten)[key])
    return values


def test_every_file_compose_mounts_exists_and_nothing_is_published_beyond_loopback():
    for name, spec in compose().items():
        for source in bind_mounts(spec).values():
            assert source.exists(), (name, source)
        for port in spec.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)


def test_services_serve_metrics_and_are_healthy_when_ready():
    services = compose()
    for name in SERVICES:
        env, check = services[name]["environment"], services[name]["healthcheck"]["test"]
        assert env[f"{name.upper()}_METRICS_ADDRESS"] == "0.0.0.0:9100"
        assert "http://127.0.0.1:9100/readyz" in check[-1], name
    assert "http://127.0.0.1:8000/readyz" in services["gateway"]["healthcheck"]["test"][-1]
    # the default profile: every service of it runs without naming a profile
    for name in ("rabbitmq", "postgres", *SUITE):
        assert "profiles" not in services[name], name


def test_the_image_runs_services_serve():
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    cmd = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    assert cmd[:2] == ["sh", "-c"] and cmd[2] == "exec python -m services.serve ${SERVICE}"
    tree = ast.parse((ROOT / "services" / "serve.py").read_text(encoding="utf-8"))
    choices = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["SERVICES"]
    )
    assert {spec["environment"]["SERVICE"] for spec in map(compose().get, SUITE)} <= set(choices)


def _refuses_without(spec, variable: str, real_entrypoint: str) -> None:
    """The service's entry point, as the container runs it ($$ is compose's $), stops with a message
    naming what to set when `variable` is empty, and otherwise runs the image's own entry point."""
    entrypoint = [arg.replace("$$", "$") for arg in spec["entrypoint"]]
    assert real_entrypoint in entrypoint[2]
    entrypoint[2] = entrypoint[2].replace(real_entrypoint, "echo ran")
    command = spec.get("command", [])
    path = {"PATH": os.environ.get("PATH", os.defpath)}
    missing = subprocess.run(entrypoint + command, env={**path, variable: ""}, capture_output=True, text=True)
    assert missing.returncode == 1 and "set KAM_" in missing.stderr
    given = subprocess.run(entrypoint + command, env={**path, variable: "x"}, capture_output=True, text=True)
    assert given.returncode == 0 and given.stdout.split() == ["ran", *command]


def test_cluster_profile_three_brokers_share_one_cookie_and_find_each_other():
    services = compose()
    nodes = [services[name] for name in BROKERS]
    cookies = {node["environment"]["RABBITMQ_ERLANG_COOKIE"] for node in nodes}
    assert cookies == {"${KAM_ERLANG_COOKIE:-}"}, "one cookie, from the environment, never written here"
    conf = dict(
        (part.strip() for part in line.split("=", 1))
        for line in (ROOT / "docker" / "rabbitmq-cluster.conf").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    assert conf["cluster_formation.peer_discovery_backend"] == "classic_config"
    listed = {v for k, v in conf.items() if k.startswith("cluster_formation.classic_config.nodes.")}
    assert listed == {f"rabbit@{name}" for name in BROKERS}
    assert conf["prometheus.tcp.port"] == "15692"
    plugins = (ROOT / "docker" / "rabbitmq-enabled-plugins").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"\[[\w,\s]*\]\.", plugins) and "rabbitmq_prometheus" in plugins
    data_volumes = set()
    for name, node in zip(BROKERS, nodes):
        env = node["environment"]
        assert node["profiles"] == ["cluster"] and node["image"] == services["rabbitmq"]["image"]
        # the node name other nodes reach it by: rabbit@ its hostname, its compose service name
        assert node["hostname"] == name and env["RABBITMQ_NODENAME"] == f"rabbit@{name}"
        assert env["RABBITMQ_DEFAULT_USER"] == services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_USER"]
        assert env["RABBITMQ_DEFAULT_PASS"] == services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"]
        mounts = bind_mounts(node)
        assert mounts["/etc/rabbitmq/enabled_plugins"] == ROOT / "docker" / "rabbitmq-enabled-plugins"
        assert ROOT / "docker" / "rabbitmq-cluster.conf" in {
            source for target, source in mounts.items() if target.startswith("/etc/rabbitmq/conf.d/")
        }
        data = next(v.split(":")[0] for v in node["volumes"] if v.endswith(":/var/lib/rabbitmq"))
        data_volumes.add(data)
        assert "ports" not in node and "test" in node["healthcheck"]
        _refuses_without(node, "RABBITMQ_ERLANG_COOKIE", "docker-entrypoint.sh")
    assert len(data_volumes) == 3 and data_volumes <= set(_load("docker-compose.yml")["volumes"])
    # the first start forms one cluster: the other two start once rabbitmq-1 answers
    for node in nodes[1:]:
        assert node["depends_on"] == {"rabbitmq-1": {"condition": "service_healthy"}}


def test_cluster_profile_postgres_standby_copies_the_primary():
    services = compose()
    primary, standby = services["postgres"], services["postgres-standby"]
    assert standby["profiles"] == ["cluster"] and standby["image"] == primary["image"] == "postgres:15"
    assert standby["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    env = standby["environment"]
    assert env["KAM_PRIMARY_HOST"] == "postgres"
    for key in ("KAM_REPLICATION_USER", "KAM_REPLICATION_PASSWORD"):
        # the same role on both sides, from the environment only
        assert env[key] == primary["environment"][key] == f"${{{key}:-}}"
    script = bind_mounts(standby)[standby["entrypoint"][-1]]
    assert script == ROOT / "docker" / "postgres-standby.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text(encoding="utf-8")
    commands = [line for line in text.replace("\\\n", " ").splitlines() if not line.lstrip().startswith("#")]
    [backup] = [line for line in commands if re.search(r"\bpg_basebackup\s+-", line)]
    for option in ("-h", "-U", "-D", "-R", "-X stream"):
        assert re.search(rf"(?<!\w){option}(?!\w)", backup), option
    assert 'exec "$@"' in text and standby["command"] == ["docker-entrypoint.sh", "postgres"]
    # its data directory below the volume, so the image's VOLUME does not hide it
    assert env["PGDATA"].startswith("/var/lib/postgresql/data/")
    # what the primary needs: a role that may replicate, and pg_hba letting it in over the network
    init = (ROOT / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    assert re.search(r"CREATE ROLE .* REPLICATION", init)
    assert "\\getenv kam_repl_user KAM_REPLICATION_USER" in init
    assert re.search(r"host\s+replication\s+\S+\s+\S+\s+scram-sha-256.*pg_hba\.conf", init)


def test_cluster_settings_the_services_are_told_to_uncomment():
    [amqp_uri] = commented("AMQP_URI")
    urls = amqp_uri.split(";")
    assert [re.search(r"@([\w-]+):5672/$", url).group(1) for url in urls] == list(BROKERS)
    for url in urls:
        assert url.startswith("amqp://${KAM_AMQP_USER:?") and "${KAM_AMQP_PASSWORD:?" in url
    assert commented("QUEUE_TYPE") == ["quorum"]
    services = compose()
    for name in SERVICES:
        key = f"{name.upper()}_DATABASE_URL"
        [url] = commented(key)
        assert url.startswith("postgresql://${KAM_DB_USER:?") and "${KAM_DB_PASSWORD:?" in url
        # as SQLAlchemy 1.4 reads it once compose has put in the credentials
        parsed = make_url(re.sub(r"\$\{[^}]*\}", "x", url))
        assert parsed.database == services[name]["environment"][key].rsplit("/", 1)[1]
        assert (parsed.query["host"], parsed.query["port"]) == ("postgres,postgres-standby", "5432,5432")
        assert parsed.query["target_session_attrs"] == "read-write"


def test_monitoring_profile_mounts_the_files_it_reads():
    services = compose()
    prometheus, grafana = services["prometheus"], services["grafana"]
    assert prometheus["profiles"] == grafana["profiles"] == ["monitoring"]
    assert prometheus["image"].startswith("prom/prometheus:")
    assert grafana["image"].startswith("grafana/grafana:")
    assert prometheus["ports"] == ["127.0.0.1:9090:9090"] and grafana["ports"] == ["127.0.0.1:3000:3000"]
    config = _load("docker/prometheus.yml")
    mounts = bind_mounts(prometheus)
    assert mounts["/etc/prometheus/prometheus.yml"] == ROOT / "docker" / "prometheus.yml"
    assert [mounts[path] for path in config["rule_files"]] == [ROOT / "docker" / "alerts.yml"]
    _refuses_without(grafana, "GF_SECURITY_ADMIN_PASSWORD", "/run.sh")
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "${KAM_GRAFANA_PASSWORD:-}"


def test_prometheus_scrapes_every_service_and_every_broker():
    services = compose()
    jobs = prometheus_targets()
    for name in SERVICES:
        port = services[name]["environment"][f"{name.upper()}_METRICS_ADDRESS"].rsplit(":", 1)[1]
        assert jobs[name] == [f"{name}:{port}"]
    port = services["gateway"]["environment"]["GATEWAY_ADDRESS"].rsplit(":", 1)[1]
    assert jobs["gateway"] == [f"gateway:{port}"]
    assert jobs["rabbitmq"] == jobs["rabbitmq-queues"] == [f"{name}:15692" for name in BROKERS]
    for targets in jobs.values():
        assert {target.rsplit(":", 1)[0] for target in targets} <= set(services)
    configs = {job["job_name"]: job for job in _load("docker/prometheus.yml")["scrape_configs"]}
    queues = configs["rabbitmq-queues"]  # per queue, for the queue depth panel
    assert queues["metrics_path"] == "/metrics/detailed"
    assert "queue_coarse_metrics" in queues["params"]["family"]


def test_alert_rules_say_what_to_do_and_use_only_known_metrics():
    jobs = set(prometheus_targets())
    rules = [rule for group in _load("docker/alerts.yml")["groups"] for rule in group["rules"]]
    names, by_metric = set(), {}
    for rule in rules:
        assert rule["alert"] not in names, rule["alert"]
        names.add(rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}
        summary, description = rule["annotations"]["summary"], rule["annotations"]["description"]
        assert summary.strip() and description.strip()
        assert re.search(rf"docs/operations\.md#({'|'.join(DOCS_SECTIONS)})\b", description), rule["alert"]
        for name in re.findall(r"\bkam_\w+", summary + description):
            assert name in KAM_SERIES, (rule["alert"], name)
        metrics, used_jobs = promql(rule["expr"])
        assert used_jobs <= jobs, (rule["alert"], used_jobs)
        for metric in metrics:
            by_metric.setdefault(metric, []).append(rule)
    # what an operator at 2 a.m. needs told
    [ready] = by_metric["kam_ready"]
    assert ready["for"] == "2m" and "== 0" in ready["expr"]
    [parked] = by_metric["kam_parked_messages"]
    assert "> 0" in parked["expr"]
    [lag] = by_metric["kam_projection_lag_events"]
    assert lag["for"] == "10m" and "> 100" in lag["expr"]
    assert by_metric["kam_outbox_waiting"] and by_metric["kam_rpc_calls_total"]
    assert by_metric["rabbitmq_identity_info"]
    assert any('job="rabbitmq"' in rule["expr"] for rule in by_metric["up"])


def test_alerts_point_to_sections_that_exist():
    operations = ROOT / "docs" / "operations.md"
    if not operations.exists():
        pytest.skip("docs/operations.md is not written yet")
    headings = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in operations.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    assert set(DOCS_SECTIONS) <= headings


def _dashboard():
    return json.loads((ROOT / "docker" / "grafana" / "dashboard.json").read_text(encoding="utf-8"))


def test_dashboard_queries_use_only_known_metrics_and_show_each():
    dashboard = _dashboard()
    assert dashboard["uid"] and dashboard["title"] and 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"
    datasource = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    jobs = set(prometheus_targets())
    shown, ids, cells = set(), set(), set()
    for panel in dashboard["panels"]:
        assert panel["id"] not in ids
        ids.add(panel["id"])
        box = panel["gridPos"]
        assert box["x"] >= 0 and box["x"] + box["w"] <= 24
        area = {(box["x"] + dx, box["y"] + dy) for dx in range(box["w"]) for dy in range(box["h"])}
        assert not area & cells, f"panel {panel['title']!r} overlaps another"
        cells |= area
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == datasource and panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == datasource
            metrics, used_jobs = promql(target["expr"])
            assert used_jobs <= jobs, (panel["title"], used_jobs)
            shown |= metrics
    # every metric of the list is on the dashboard, and the broker's queue depth and node count
    families = {re.sub(r"_(bucket|sum|count)$", "", name) if name not in COUNTERS else name for name in shown}
    assert set(COUNTERS) | set(GAUGES) | set(HISTOGRAMS) <= families
    assert {"rabbitmq_detailed_queue_messages", "rabbitmq_identity_info", "up"} <= shown


def test_grafana_provisioning_points_at_prometheus_and_the_dashboard():
    grafana = compose()["grafana"]
    mounts = bind_mounts(grafana)
    provisioning = ROOT / "docker" / "grafana" / "provisioning"
    assert mounts["/etc/grafana/provisioning/datasources"] == provisioning / "datasources"
    assert mounts["/etc/grafana/provisioning/dashboards"] == provisioning / "dashboards"
    [sources] = [_load(p.relative_to(ROOT)) for p in (provisioning / "datasources").glob("*.yml")]
    [source] = sources["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    variable = next(v for v in _dashboard()["templating"]["list"] if v["name"] == "DS_PROMETHEUS")
    assert variable["current"]["value"] == source["uid"]
    [providers] = [_load(p.relative_to(ROOT)) for p in (provisioning / "dashboards").glob("*.yml")]
    [provider] = providers["providers"]
    assert provider["type"] == "file"
    dashboards = {target for target, source in mounts.items() if source.suffix == ".json"}
    assert dashboards and {target.rsplit("/", 1)[0] for target in dashboards} == {provider["options"]["path"]}
    assert mounts[dashboards.pop()] == ROOT / "docker" / "grafana" / "dashboard.json"
