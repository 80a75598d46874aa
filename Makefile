# Two commands on a fresh machine:  `make demo`  and  `make test`.
.PHONY: setup demo test lint bench docs

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/piaudit demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest -q

bench: setup
	.venv/bin/python scripts/bench/bench.py

docs: setup
	.venv/bin/python scripts/docs/readme_screenshot.py
