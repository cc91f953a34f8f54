# The same commands for a person and for CI. Each target sets up what is missing first.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup test demo bench lint proto clean

setup:
	@bash script/setup.sh

proto: setup

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

demo: setup
	$(PY) -m cockpit.demo

bench: setup
	$(PY) -m bench

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy cockpit skills can_sim models bench

clean:
	rm -rf $(VENV) cockpit/v1 build *.egg-info
