# trilat — the two commands a newcomer needs are `make run` and `make test`.
# Each creates the project's virtual environment (.venv) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := trilat

.PHONY: run test lab bench kernel clean-reports help

help:
	@echo "make run    - execute every notebook on the bundled seed corpus into reports/"
	@echo "make test   - run the test suite"
	@echo "make lab    - open JupyterLab on notebooks/ with the project's kernel"
	@echo "make bench  - run the benchmarks in benchmarks/"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name $(KERNEL) --display-name "Python (trilat)" >/dev/null
	@touch $(STAMP)

kernel: $(STAMP)

run: $(STAMP)
	$(BIN)/trilat run $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

clean-reports:
	rm -rf reports/
