# Tsunagari: `make demo` sets up and runs the platform; `make test` runs the whole suite.
# Needs only Python 3.11 and make. Everything else is installed into .venv from the lock files.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# An own folder in the くらし支援ナビ format to import instead of the data set (optional).
DATA ?=
# A folder that already holds the data sets (kurashi-navi/, hsds-3.0/ …) to copy them from, instead of downloading.
DATASETS_FROM ?=
export DJANGO_SETTINGS_MODULE := tsunagari.settings

.PHONY: demo test serve lint typecheck check-deploy browser-test bench clean messages messages-check

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
	$(BIN)/python -m tsunagari get-datasets $(if $(DATASETS_FROM),--from $(DATASETS_FROM))
	$(BIN)/python -m tsunagari import $(if $(DATA),$(DATA),--dataset kurashi-navi)
	$(BIN)/python -m tsunagari place-locations
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
	$(BIN)/python bench/portal_load.py
	$(BIN)/python bench/page_weight.py

clean:
	rm -rf $(VENV) var

MAKEMESSAGES := $(BIN)/python -m tsunagari makemessages -l ja --no-location --no-obsolete \
	--ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=tsunagari/static/vendor

# Collect new msgids into the Japanese catalogue and compile it (needs GNU gettext).
messages: $(VENV)/.dev
	$(MAKEMESSAGES)
	$(BIN)/python -m tsunagari compilemessages --ignore=.venv

# CI: every msgid in the code has a Japanese translation, and the committed .mo matches the .po.
messages-check: $(VENV)/.dev
	$(MAKEMESSAGES) -v0
	@stats=$$(msgfmt -c --statistics -o /dev/null tsunagari/locale/ja/LC_MESSAGES/django.po 2>&1); echo "ja: $$stats"; \
	case "$$stats" in *untranslated*|*fuzzy*) echo "Translate the entries above: make messages, then edit tsunagari/locale/ja/LC_MESSAGES/django.po"; exit 1;; esac
	git show HEAD:tsunagari/locale/ja/LC_MESSAGES/django.po > var/committed.po && msgfmt -o var/committed.mo var/committed.po && \
	cmp -s var/committed.mo tsunagari/locale/ja/LC_MESSAGES/django.mo || { echo "django.mo is stale: run make messages"; exit 1; }
