# The two commands of the README: `make demo` runs the portal, `make test` runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: demo test test-late lint check-prod messages bench

# The demo's provider accounts point at the local sandbox: allow exactly its origin.
demo: export PROVIDER_URL_ALLOWLIST ?= http://127.0.0.1:8001
# The web server, the worker and the commands share one cache (the worker reads the SMS balance for the pages).
demo: export CACHE_URL ?= filecache://$(CURDIR)/var/cache
# Email to fax's demo mailbox: a folder of .eml files the worker reads (docs/fax-email.md, "The demo").
demo: export EMAIL_TO_FAX_FOLDER_ROOT ?= $(CURDIR)/var/fax-mail
demo: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	$(PY) manage.py fax_demo
	$(PY) manage.py email_to_fax_demo
	$(PY) manage.py rundemo

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# The suite again (random order, other seeds) as if it were 23:30 in Istanbul (an hour
# from "tomorrow") and 01:30 (Istanbul's day is already UTC's tomorrow). On SQLite: its
# timestamps come from Python's (travelled) clock, PostgreSQL's do not. Browser tests and
# drills run real processes whose clocks cannot travel, so they are left to `make test`.
test-late: $(VENV)/.installed
	env -u DATABASE_URL $(VENV)/bin/pytest --at 23:30 -m "not e2e" --ignore=tests/drills -q
	env -u DATABASE_URL $(VENV)/bin/pytest --at 01:30 -m "not e2e" --ignore=tests/drills -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Production settings must pass Django's deployment checklist with no warning.
# Django's deployment checklist with DEBUG=0, failing on any warning. The database, broker,
# cache and media settings come from the environment when set (so a one-machine setup fails);
# otherwise sample production values (PostgreSQL, Redis, a shared media folder) stand in,
# so a clean clone checks the rest of the list. Nothing is connected to.
check-prod: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	CREDENTIAL_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	DATABASE_URL="$${DATABASE_URL:-postgres://telcoportal@db.example.com:5432/telcoportal}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://redis.example.com:6379/0}" \
	CACHE_URL="$${CACHE_URL:-redis://redis.example.com:6379/1}" \
	MEDIA_SHARED="$${MEDIA_SHARED:-1}" \
	ALLOWED_HOSTS=portal.example.com $(PY) manage.py check --deploy --fail-level WARNING

# Re-extract and compile the Turkish catalogues after changing strings (needs GNU gettext).
# The project catalogue (locale/) holds templates/, accounts/, core/, dashboard/, sandbox/ and telcoportal/; each
# feature app (and api/) keeps its own (<app>/locale/).
APPS_WITH_CATALOGUES := messaging telephony fax webhooks notifications reports api privacy email_to_fax fax_to_email exportjobs
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l tr --no-wrap --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' \
		$(foreach app,$(APPS_WITH_CATALOGUES),--ignore '$(app)/*')
	for app in $(APPS_WITH_CATALOGUES); do (cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l tr --no-wrap); done
	$(PY) manage.py compilemessages --ignore '.venv/*'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'  # the test extra brings the sandbox extra (the demo's emulators)
	touch $@

# A local .env for the demo: development mode and freshly generated keys.
.env: | $(VENV)/.installed
	$(PY) -c "import secrets; from cryptography.fernet import Fernet; \
	print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50)); \
	print('CREDENTIAL_KEYS=' + Fernet.generate_key().decode())" > .env
	@echo "wrote .env (git ignores it)"

# Every figure of the speed issue's table side by side (PostgreSQL; long at full size). Smaller, e.g.:
# make bench BENCH_ARGS="--rows 200000 --import-rows 50000 --recipients 20000 --load-seconds 20"
bench: $(VENV)/.installed
	$(PY) bench/all.py $(BENCH_ARGS)
