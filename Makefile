# Tsunagari: `make demo` sets up and runs the platform; `make test` runs the whole suite.
# Needs only Python 3.11 and make. Everything else is installed into .venv from the lock files.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA ?= data/kurashi-navi
export DJANGO_SETTINGS_MODULE := tsunagari.settings

.PHONY: demo test serve lint typecheck check-deploy browser-test bench clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Tsunagari needs Python 3.11 (found %s)" % sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.dev: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@touch $@ $(VENV)/.base

demo: $(VENV)/.base
	$(BIN)/python -m tsunagari migrate --no-input
	$(BIN)/python -m tsunagari import $(DATA)
	$(BIN)/python -m tsunagari seed-demo
	$(BIN)/python -m tsunagari collectstatic --no-input -v0
	@echo ""
	@echo "  Tsunagari is running at http://127.0.0.1:$(PORT)/  (portals: http://127.0.0.1:$(PORT)/kamakura/ …, admin: /admin/, API: /api/)"
	@echo ""
	$(BIN)/gunicorn tsunagari.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

serve: $(VENV)/.base
	$(BIN)/gunicorn tsunagari.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

test: $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy tsunagari

check-deploy: $(VENV)/.base
	PRODUCTION=true SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-but-long-enough-for-the-check \
	ALLOWED_HOSTS=tsunagari.example.jp $(BIN)/python -m tsunagari check --deploy --fail-level WARNING

browser-test: $(VENV)/.dev
	REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser

bench: $(VENV)/.dev
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/api_load.py

clean:
	rm -rf $(VENV) var
