"""Instances of a service started at the same moment on a new PostgreSQL database, each its own
`nameko run` process (`docker compose up --scale escalation=4` on a fresh database): one creates
the tables, the others wait and find them. (Creating them at once failed on PostgreSQL's
catalogue, and an instance died at start.)"""

import os
import subprocess
import sys
import time
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

ROOT = Path(__file__).resolve().parents[3]
INSTANCES = 4


def test_instances_starting_together_on_a_new_database_all_run(amqp_uri, pg_url_factory, tmp_path):
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "ESCALATION_DATABASE_URL": pg_url_factory("escalation"),
        "LOG_LEVEL": "WARNING",
        "ACCESS_CONTROL": "off",
    }
    nameko = str(Path(sys.executable).with_name("nameko"))
    logs = [tmp_path / f"escalation-{i}.log" for i in range(INSTANCES)]
    procs = [
        subprocess.Popen(
            [nameko, "run", "--config", "services/escalation/config.yaml", "services.escalation.service"],
            cwd=ROOT,
            env=env,
            stdout=open(log, "wb"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            deadline = time.time() + 60
            while True:
                try:
                    assert rpc.escalation.tier_counts("acme") == {}
                    break
                except AssertionError:
                    raise
                except Exception:  # not up yet
                    assert time.time() < deadline, "no instance answered"
                    time.sleep(0.5)
        time.sleep(3)  # every instance past its start
        dead = [log.read_text() for proc, log in zip(procs, logs) if proc.poll() is not None]
        assert not dead, dead[0][-2000:]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
