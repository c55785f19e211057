# kiemdiem: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test test-fast browser-deps messages bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON))"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kiemdiem migrate --noinput
	$(BIN)/kiemdiem seed_demo --if-empty
	$(BIN)/kiemdiem seed_demo_results --if-demo
	$(BIN)/kiemdiem runserver $(HOST)

# The whole suite, browser tests included (they install Debian's chromium when missing).
test: $(STAMP) browser-deps
	$(BIN)/pytest -q -rfEs

test-fast: $(STAMP)
	$(BIN)/pytest -q -rfEs -m "not browser"

browser-deps:
	@test -x /usr/bin/chromium || bash scripts/install-chromium.sh

# Vietnamese is the source language; the English catalogue lives in LOCALE_PATHS
# (kiemdiem/locale). Run from the package so only its files are scanned. Needs gettext.
# scripts/update-translations.sh does the same and lists what is left to translate.
messages: $(STAMP)
	cd kiemdiem && $(abspath $(BIN))/kiemdiem makemessages -l en --no-obsolete --ignore=tests
	cd kiemdiem && $(abspath $(BIN))/kiemdiem compilemessages -l en

bench: $(STAMP)
	@echo "see docs/benchmarks.md for the commands and figures"

clean:
	rm -rf $(VENV) var
