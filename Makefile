# Everything a developer or CI needs, from nothing: `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: test env clean plugins up demo

# Create the virtualenv and install the suite (editable), its test tools and the
# third-party example plugin the tests select by configuration.
$(STAMP): pyproject.toml examples/acme-rules/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 (e.g. apt install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=23"
	$(PY) -m pip install -q -e '.[test]' -e examples/acme-rules
	@touch $@

env: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest --durations=25  # the slowest tests listed: where CI's minutes go

# Lint and format check ([tool.ruff] in pyproject.toml); .ci/run runs it before `make test`.
.PHONY: lint
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite on a generated organisation's year: services started, year replayed, sheets,
# statements and bulletins written under out/, everything stopped again (also on Ctrl-C).
demo: $(STAMP)
	$(PY) -m demo --out out

# All five services as separate processes on the local broker (SQLite under var/ unless
# <SERVICE>_DATABASE_URL is set); Ctrl-C stops them all.
up: $(STAMP)
	$(PY) -m services.run

plugins: $(STAMP)
	$(VENV)/bin/kam plugins

clean:
	rm -rf $(VENV) build *.egg-info .hypothesis
