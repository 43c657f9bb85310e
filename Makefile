# Convenience wrappers; dev.py does the work and needs only Python >= 3.11.
PYTHON ?= python3

.PHONY: demo test lint format
demo:
	$(PYTHON) dev.py demo
test:
	$(PYTHON) dev.py test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
