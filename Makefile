# The same commands for a person and for CI. Each target sets up what is missing first.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup test check demo bench lint proto clean

setup:
	@bash script/setup.sh

proto: setup

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

# The inner loop: lint, then every test that needs no model (no language model, no speech
# recognition of audio, no wake word) and is quick. The markers are set in tests/conftest.py.
check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy cockpit skills can_sim models bench vehicle_contract
	$(PY) -m pytest -q -p no:cacheprovider -m "not model and not slow"

demo: setup
	$(PY) -m cockpit.demo

bench: setup
	$(PY) -m bench

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy cockpit skills can_sim models bench vehicle_contract

clean:
	rm -rf $(VENV) cockpit/v1 build *.egg-info
