# The two commands of the README: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ungcuu migrate --noinput
	$(BIN)/ungcuu demo
	$(BIN)/ungcuu serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-extract translatable strings into the catalogues, then compile them (needs GNU gettext).
messages: $(STAMP)
	cd ungcuu && ../$(BIN)/django-admin makemessages --settings=ungcuu.settings -l vi -l en --no-obsolete --no-location --ignore='static/*'
	cd ungcuu && ../$(BIN)/django-admin compilemessages --settings=ungcuu.settings

clean:
	rm -rf $(VENV) var .pytest_cache
