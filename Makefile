# make run   — set up, build the knowledge base, train if needed, start everything on localhost
# make test  — the whole suite, from the same state
# make prod-up / prod-down — the production shape (PostgreSQL, Redis, nginx, replicas) on this machine
# make test-prod — installs and starts that shape, tests it, validates the Kubernetes manifests
SHELL := /bin/bash
.DEFAULT_GOAL := run
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: run test test-prod prod-up prod-down kb train shell venv bench lock clean

$(VENV)/installed: requirements.txt bot/launcher/find_python.sh
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  python=$$(bash bot/launcher/find_python.sh); \
	  echo "creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --upgrade "pip<24.1" "setuptools>=70.3,<70.4" wheel; \
	$(PY) -m pip install --quiet -r requirements.txt; \
	$(PY) -m pip check >/dev/null; \
	touch $@

# The dashboard's charts: ECharts from the npm registry, as pinned in package-lock.json.
ECHARTS := node_modules/echarts/dist/echarts.min.js
$(ECHARTS): package.json package-lock.json bot/launcher/ensure_node.sh
	bash bot/launcher/ensure_node.sh
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(VENV)/installed $(ECHARTS)

kb: venv
	$(PY) -m bot kb

train: kb
	$(PY) -m bot train

run: train
	$(PY) -m bot run

shell: train
	$(PY) -c 'from bot import settings; import os, sys; \
	  os.execvpe(sys.executable, [sys.executable, "-m", "rasa", "shell", "--model", "var/models", \
	  "--endpoints", "endpoints.yml", "--port", "5006"], settings.child_env())'

test: train
	$(PY) -m bot validate
	$(PY) -m pytest tests -q --ignore=tests/prod
	$(PY) -m bot nlu-report
	$(PY) -m rasa test core --model var/models/ganzhou-ip.tar.gz --stories tests/test_stories.yml --e2e \
	  --endpoints endpoints.yml --out var/results/core --fail-on-prediction-errors

# Installs Debian's postgresql, redis-server and nginx when missing (apt, as root: fails and
# says so where that is impossible), starts the shape in a temporary folder, tests it, stops it.
test-prod: train
	$(PY) -m bot prod install
	$(PY) -m bot prod manifests
	$(PY) -m pytest tests/prod -q

prod-up: train
	$(PY) -m bot prod up

prod-down: venv
	$(PY) -m bot prod down

bench: train
	$(PY) bench/latency.py
	$(PY) bench/retrieval.py
	$(PY) bench/wechat.py
	$(PY) bench/pipeline.py
	$(PY) bench/leads.py
	$(PY) bench/answers.py --split test
	$(PY) bench/load.py

lock: venv
	$(PY) -m pip freeze --exclude-editable | grep -v '@ file' \
	  | sed '1i # Exact versions of everything installed into .venv; regenerate with `make lock`.' \
	  > requirements.txt

clean:
	rm -rf var
