# Remixer — every entry point a developer or CI needs. `make venv` is idempotent.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-installed
ASSETS := $(VENV)/share/remixer
PHOTOS_STAMP := $(ASSETS)/.stamp-photos
SYSTEM_STAMP := $(VENV)/.stamp-system
REQS := requirements/base.txt requirements/nodeps.txt requirements/dev.txt pyproject.toml

.PHONY: venv system-packages demo test test-fast lint bench clean migration

venv: $(STAMP) $(PHOTOS_STAMP) $(SYSTEM_STAMP)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(STAMP): $(BIN)/python $(REQS)
	$(BIN)/pip install -q -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -r requirements/nodeps.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Public-domain face photos (US-government works) from the face_recognition sdist.
$(PHOTOS_STAMP): $(BIN)/python
	bash scripts/fetch_photos.sh $(BIN)/pip $(ASSETS)/photos
	touch $@

# Colour emoji and broad-coverage fonts come from Debian; skipped (with a note) when not root.
$(SYSTEM_STAMP): scripts/system_packages.sh
	bash scripts/system_packages.sh
	touch $@

demo: venv
	$(BIN)/remixer doctor
	$(BIN)/remixer demo

test: venv
	bash scripts/run_tests.sh

test-fast: venv
	$(BIN)/pytest -q -m "not slow" tests/unit tests/api

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: venv
	$(BIN)/python -m benchmarks.run_all

migration: venv
	$(BIN)/python scripts/new_migration.py $(MESSAGE)

clean:
	rm -rf $(VENV) .remixer .pytest_cache .mypy_cache .ruff_cache
