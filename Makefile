# The README's interface: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV_VERSION := 0.13.9
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
USER ?= demo
ROLE ?= estimator

.PHONY: install compile demo test lint typecheck pytest up down reset token bench catalog package web webcheck web-api-types

# uv itself is pinned; every Python dependency comes from uv.lock.
$(UV):
	python3 -m pip install --quiet --target .tools/pylib uv==$(UV_VERSION)
	mkdir -p .tools/bin && ln -sf ../pylib/bin/uv .tools/bin/uv

# Bytecode is compiled at install: this environment never writes .pyc files at import
# (PYTHONDONTWRITEBYTECODE), and compiling on every start doubles a cold start.
.venv/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

compile: install
	$(PY) -m compileall -q estimator_core functions

# PostgreSQL 15 + plpgsql_check + pgTAP (OS packages, only if absent) and the pinned
# Supabase CLI (npm ci from package-lock.json).
.local/.stack-installed: ops/supabase/install.sh package.json package-lock.json
	bash ops/supabase/install.sh
	mkdir -p .local && touch $@

# The web client: its own pinned dependencies (web/package-lock.json), built to web/dist,
# which the functions server serves at / (make up) and the browser tests load.
WEB_STAMP := web/node_modules/.kis-installed
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@
web/dist/index.html: $(WEB_STAMP) web/index.html web/vite.config.ts web/tsconfig.json $(shell find web/src -type f 2>/dev/null)
	cd web && npm run build --silent
web: web/dist/index.html
# Type-check, unit tests (vitest) and the build; the browser tests run in pytest (tests/web).
webcheck: web
	cd web && npx vitest run
# Regenerate the client's API types after an API change (tests/web/test_api_types.py).
web-api-types: install
	mkdir -p .local && $(PY) tools/dump_openapi.py > .local/openapi.json
	cd web && npx openapi-typescript ../.local/openapi.json -o src/api/schema.d.ts

install: .venv/.installed .local/.stack-installed $(WEB_STAMP)

# Start the embedded stack and estimate the example request over HTTP.
demo: up
	$(PY) -m functions demo examples/apartment_sangdo.json

up: install compile web
	ops/supabase/stack.sh up
down:
	ops/supabase/stack.sh down
reset: install
	ops/supabase/stack.sh reset
token: install
	@$(PY) -m functions token $(USER) --role $(ROLE)

lint: install
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
typecheck: install
	.venv/bin/mypy

pytest: install web
	$(PY) -m pytest -q

test: lint typecheck webcheck pytest

# The Lambda artefact, reproducibly from uv.lock (Linux x86_64): dist/lambda.zip, its SHA-256
# and its unzipped size against Lambda's 250 MB (deploy/package.py says why the image is used).
package: install
	$(PY) deploy/package.py

bench: install compile
	$(PY) -m benchmarks

# Rebuild the shipped catalog from the panel maker's knowledge files (../shared is read here
# only). A released label never changes: a corrected catalog ships under a new label.
CATALOG_LABEL := v1.1.0
catalog: install
	$(PY) tools/build_catalog.py ../shared/domain/knowledge estimator_core/catalogs/$(CATALOG_LABEL) --label $(CATALOG_LABEL)
