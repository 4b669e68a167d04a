# One entry point for readers and CI. `make book` builds the whole book on the CPU;
# `make test` runs the tests. Both create the virtual environment on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PROFILE ?= ci
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv lock test test-fast book chapters chapter render check store snapshot lint reference benchmark clean gpu-pack gpu-results gpu-import

help:
	@echo "make book [PROFILE=ci|gpu]        run every chapter with the profile, then render _build/html"
	@echo "make test                          unit tests and every chapter with the ci profile"
	@echo "make test-fast                     unit tests only (no chapters)"
	@echo "make chapter NAME=01_data [PROFILE=gpu] [ARGS='-p lr 0.1']   (re)run one chapter, with one-off overrides"
	@echo "make store PROFILE=large             copy the results the profile's chapters used into results/large"
	@echo "make snapshot [PROFILE=ci]         run the chapters, then rewrite snapshots/<profile>.json (review the diff)"
	@echo "make lint                          ruff (pyflakes and pydocstyle, Google convention)"
	@echo "make lock                          re-resolve requirements.lock (needs uv: pip install uv)"
	@echo "make gpu-pack                        gather the data subsets and wheels a GPU run carries into .gpu/"
	@echo "make gpu-results OUT=dir             ON THE GPU MACHINE: compute the gpu profile, pack dir/gpu-results.tar.gz"
	@echo "make gpu-import ARCHIVE=file         unpack a GPU run into results/gpu (then: make book PROFILE=gpu)"
	@echo "make render                        render the executed notebooks in book/ only"
	@echo "make check PROFILE=gpu             validate a profile's parameter files"
	@echo "make reference                     neural-tangents cross-check in its pinned environment"
	@echo "make benchmark                     speed benchmarks (results in benchmarks/results/)"

LOCK := requirements.lock

# With the lock file present (the default in a checkout) the environment is exactly the
# locked one (CI's); `make venv LOCK=` resolves the pyproject.toml ranges instead.
$(STAMP): pyproject.toml $(wildcard $(LOCK))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	if [ -n "$(LOCK)" ] && [ -f "$(LOCK)" ]; then \
	  $(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK) && \
	  $(BIN)/python -m pip install --quiet --no-deps -e . ; \
	else \
	  $(BIN)/python -m pip install --quiet -e ".[book,test]" ; \
	fi
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not chapters"

book: $(STAMP)
	$(BIN)/python -m ntk_scaling.book.runner build --profile $(PROFILE)

chapters: $(STAMP)
	$(BIN)/python -m ntk_scaling.book.runner run --profile $(PROFILE)

chapter: $(STAMP)
	@test -n "$(NAME)" || (echo "usage: make chapter NAME=01_data [PROFILE=gpu]" && exit 2)
	$(BIN)/python -m ntk_scaling.book.runner run --profile $(PROFILE) --force $(NAME) $(ARGS)

render: $(STAMP)
	$(BIN)/python -m ntk_scaling.book.runner render

store: chapters
	$(BIN)/python -m ntk_scaling.book.runner store --profile $(PROFILE)

snapshot: chapters
	$(BIN)/python -m ntk_scaling.book.runner snapshot --profile $(PROFILE)

lock:
	uv pip compile pyproject.toml --extra book --extra test --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes --custom-compile-command "make lock" -o $(LOCK)

lint: $(STAMP)
	$(BIN)/ruff check src tests chapters benchmarks scripts

check: $(STAMP)
	$(BIN)/python -m ntk_scaling.book.runner check --profile $(PROFILE)

reference:
	bash scripts/reference_env.sh test

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_linear_model.py
	$(BIN)/python benchmarks/bench_dmft.py
	$(BIN)/python benchmarks/bench_entk.py

gpu-pack: $(STAMP)
	$(BIN)/python -m ntk_scaling.book.headless pack --out .gpu

# Runs on the lent GPU machine: its python3 has JAX but no notebook tooling and no network;
# pooch travels as a wheel in .gpu/wheels, the data in .gpu/data (see README, "GPU").
GPU_PYTHON ?= python3
OUT ?= gpu-out
gpu-results:
	$(GPU_PYTHON) -m pip install -q --no-index --no-deps --target /tmp/ntk-site .gpu/wheels/*.whl
	PYTHONPATH=/tmp/ntk-site:$(CURDIR)/src NTK_SCALING_DATA=$(CURDIR)/.gpu/data NTK_SCALING_CACHE=/tmp/ntk-cache \
	  PYTHONUNBUFFERED=1 $(GPU_PYTHON) -m ntk_scaling.book.headless run --profile gpu --out $(OUT)

gpu-import: $(STAMP)
	@test -n "$(ARCHIVE)" || (echo "usage: make gpu-import ARCHIVE=path/to/gpu-results.tar.gz" && exit 2)
	$(BIN)/python -m ntk_scaling.book.headless import $(ARCHIVE) --profile gpu

clean:
	rm -rf _build book/*.ipynb book/run_log.json book/_equations.md book/_scoreboard.md
