# The README's interface: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV_VERSION := 0.13.9
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: install demo test lint typecheck unit bench catalog

# uv itself is pinned; everything else comes from uv.lock.
$(UV):
	python3 -m pip install --quiet --target .tools/pylib uv==$(UV_VERSION)
	mkdir -p .tools/bin && ln -sf ../pylib/bin/uv .tools/bin/uv

.venv/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

install: .venv/.installed

demo: install
	$(PY) -m estimator_core estimate examples/apartment_sangdo.json --issued-at 2026-01-01T00:00:00Z

lint: install
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
typecheck: install
	.venv/bin/mypy

unit: install
	$(PY) -m pytest -q

test: install lint typecheck unit

bench: install
	$(PY) -m benchmarks

# Rebuild the v1 catalog from the panel maker's knowledge files (../shared is read here only).
catalog: install
	$(PY) tools/build_catalog.py ../shared/domain/knowledge estimator_core/catalogs/v1
