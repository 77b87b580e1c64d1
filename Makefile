# Two commands: `make demo` (the main job on the sample course) and `make test`.
# Each creates .venv on first use and installs the project into it (editable).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/grade demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every figure of issue 16, about 10 minutes; BENCH_ARGS for the long runs (e.g. --scaling 1000 --pairs 10).
bench: $(STAMP)
	$(BIN)/python bench/grading_speed.py --scaling 200 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
