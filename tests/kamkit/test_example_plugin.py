"""The example plugin's own tests (examples/acme-rules/tests), run as its author runs them: pytest in
the example's folder, with the example's pyproject as configuration."""

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme-rules"


def test_the_example_plugins_own_tests_pass():
    out = subprocess.run(
        [sys.executable, "-m", "pytest"], capture_output=True, text=True, cwd=EXAMPLE, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert " passed" in out.stdout, out.stdout  # something was collected and ran
