# Two targets do all the set-up on a fresh clone: `make run` and `make test`.
# Both create .venv on first use and reinstall when pyproject.toml or constraints.txt change.
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test

run: $(STAMP)
	$(VENV)/bin/tracker run

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python -m pytest -q

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,datasette]'
	touch $(STAMP)
