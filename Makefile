# The one-word entry points. `make run` and `make test` are all a new developer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: venv run worker test lint format messages check-deploy bench loadtest audit audit-accept

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# Migrate, load the demo newsroom once, and serve the site and the admin on 127.0.0.1:8000.
# DEBUG=1: the developer's settings (production is the default and fails closed).
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# Background tasks (IndexNow pings, cache purges for Redis and an edge) as they fall due: beside
# `make run` (which migrates), in a second terminal. Production runs one worker per queue.
worker: venv
	DEBUG=1 $(BIN)/python manage.py db_worker --queue-name default,purges --interval 0.2

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL points at one.
test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The translation catalogues (locale/): after editing a .po, compile it; the .mo is committed, so
# installing the site needs no gettext. Needs GNU gettext's msgfmt (Debian: gettext).
messages:
	for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check-format -o "$${po%.po}.mo" "$$po"; done

# Production settings must pass Django's deployment checklist without a single warning.
check-deploy: venv
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-key-for-the-check \
	ALLOWED_HOSTS=news.example.ru SITE_URL=https://news.example.ru \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Pages against a trivial view under gunicorn and wrk, at 100,000 stories (BENCH_DATABASE_URL
# picks the database; PostgreSQL at 127.0.0.1 by default). See README, "Benchmark".
bench: venv
	$(BIN)/python -m bench.run

# A breaking-news day: readers and editors under locust against gunicorn, the task worker and
# Redis, with and without the edge, on 1 and 2 workers, each from a fresh copy of the benchmark's
# database; prints throughput, latency, errors and publish-to-visible times. ARGS passes flags
# (e.g. ARGS="--seconds 120 --readers 40"). See README, "Load test".
loadtest: venv
	$(BIN)/python -m bench.loadtest $(ARGS)

# The reader's site measured: Lighthouse (mobile) and axe-core against the demo site under
# production settings, screenshots at 375 and 1280 px into test-artifacts/ compared with the
# accepted ones in audit/accepted/. Needs Node, Chromium and ChromeDriver; npm packages pinned
# in package-lock.json. See README, "Measured".
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

audit: venv node_modules/.package-lock.json
	$(BIN)/python -m audit.run

# After an intended change of layout: today's screenshots become the accepted ones.
audit-accept: venv node_modules/.package-lock.json
	$(BIN)/python -m audit.run --accept
