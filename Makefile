# The README's interface: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV_VERSION := 0.13.9
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
USER ?= demo
ROLE ?= estimator

.PHONY: install compile demo test lint typecheck pytest up down reset token bench catalog package

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

install: .venv/.installed .local/.stack-installed

# Start the embedded stack and estimate the example request over HTTP.
demo: up
	$(PY) -m functions demo examples/apartment_sangdo.json

up: install compile
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

pytest: install
	$(PY) -m pytest -q

test: lint typecheck pytest

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
