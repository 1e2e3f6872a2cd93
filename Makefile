# The README's two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

serve: install
	$(PY) manage.py serve $(ARGS)

test: install
	$(PY) -m pytest $(ARGS)

bench: install
	$(PY) -m pip install -q -r bench/requirements.txt
	$(PY) bench/load.py $(ARGS)

.PHONY: install serve test bench
