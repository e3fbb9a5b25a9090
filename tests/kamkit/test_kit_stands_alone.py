"""The plugin kit stands alone: kamkit, every built-in plugin and a third-party plugin import nothing
of the services (broker, database, wire contract), checked in a fresh interpreter where nothing else
was imported first."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES_SIDE = ("nameko", "kombu", "eventlet", "sqlalchemy", "wire", "services")

# Imports every module of kamkit, of the built-in plugins and of acme_rules, then names the
# services' modules that came along.
PROBE = f"""
import importlib, json, pkgutil, sys
names = []
for package in ("kamkit", "plugins.telecom", "plugins.software", "plugins.banking", "acme_rules"):
    module = importlib.import_module(package)
    names.append(package)
    for found in pkgutil.walk_packages(getattr(module, "__path__", []), package + "."):
        importlib.import_module(found.name)
        names.append(found.name)
side = sorted(m for m in sys.modules if m.split(".")[0] in {SERVICES_SIDE!r})
print(json.dumps({{"imported": names, "services_side": side}}))
"""


def test_kit_and_plugins_import_nothing_of_the_services():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {
        "kamkit.conformance",
        "kamkit.plugin",
        "kamkit.facts_schema",
        "plugins.telecom.plugin",
        "plugins.software.plugin",
        "plugins.banking.plugin",
        "acme_rules",
    } <= set(result["imported"])
    assert result["services_side"] == [], f"imported along with the kit: {', '.join(result['services_side'])}"
