# Every command a person needs; each works on a fresh machine with Python 3.11 (it installs first).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install install-chromium test lint demo bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

## make install-chromium: Debian's chromium, for the browser test of `ilo-archive coverage --html`
## (installed when missing; needs root and apt-get, else that one test is skipped, saying why).
install-chromium:
	@command -v chromium >/dev/null || apt-get install -y chromium \
		|| (apt-get update && apt-get install -y chromium) \
		|| echo "chromium not installed: the coverage --html browser test will be skipped"

## make test: lint, then the whole test suite (unit tests and real crawls of the replica).
test: $(INSTALLED) install-chromium
	$(BIN)/ruff check ilo_crawler tests
	$(BIN)/pytest -q

lint: $(INSTALLED)
	$(BIN)/ruff check ilo_crawler tests

## make demo: start the replica, archive November 2021 into data/archive.db, print what it holds.
demo: $(INSTALLED)
	$(BIN)/python -m ilo_crawler.demo

## make bench: the benchmarks against the replica (minutes; not part of make test).
bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
