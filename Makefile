# The two commands of the README: `make demo` and `make test`. Each works on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test test-matrix lint typecheck bench bench-introspection bench-fleet bench-far postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

postgres:
	@scripts/ensure-postgres.sh

demo: $(VENV)/.installed postgres
	$(BIN)/python scripts/demo.py

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy src

# The specifications run on as many workers as the machine has cores, each worker with
# servers of its own (tests/conftest.py).
test: $(VENV)/.installed postgres lint typecheck
	$(BIN)/pytest -n auto

# The version matrix: the conformance corpus, the example schema and the CLI specifications
# on PostgreSQL 14, 15, 16, 17 and 18 (make test runs the corpus on the machine's server,
# the rest on it and on 17).
test-matrix: $(VENV)/.installed postgres
	$(BIN)/python scripts/ensure-matrix-servers.py
	$(BIN)/pytest -n auto -m version_matrix --pg-versions=all --corpus-versions=all

# Side by side with migra and pg-delta (installed into bench/.tools on the first run);
# writes bench/README.md and bench/time_vs_n.png. BENCH_ARGS="--sizes 100,1000 --repeat 3"
# (--application-copies 0 leaves out the example schema grown tenfold, bench/application.py).
bench: $(VENV)/.installed postgres
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-introspection: $(VENV)/.installed postgres
	$(BIN)/python bench/introspection.py

bench-fleet: $(VENV)/.installed postgres
	$(BIN)/python bench/fleet.py

# Two live databases compared through a link of 5 and 20 ms round trips, beside the peers;
# writes bench/far_server.md. BENCH_FAR_ARGS="--size 1000 --round-trips 5,20 --repeat 3"
bench-far: $(VENV)/.installed postgres
	$(BIN)/python -m bench.far_server $(BENCH_FAR_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
