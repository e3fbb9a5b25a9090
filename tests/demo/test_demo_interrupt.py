"""Ctrl-C during `make demo` stops every service process it started."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def test_ctrl_c_stops_the_demo_and_its_services(amqp_uri, tmp_path):
    marker = f"KAM_DEMO_MARK={tmp_path.name}"
    env = {**os.environ, "AMQP_URI": amqp_uri, marker.split("=")[0]: tmp_path.name}
    demo = subprocess.Popen(
        [sys.executable, "-m", "demo", "--size", "small", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 90
    while len(_processes_with(marker)) < 7 and time.time() < deadline:  # demo, runner, 5 services
        time.sleep(0.2)
    time.sleep(3)  # let the replay begin
    os.killpg(demo.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole foreground group
    output = demo.communicate(timeout=60)[0].decode()
    assert demo.returncode == 130, output
    assert "interrupted" in output
    time.sleep(1)
    assert _processes_with(marker) == []
