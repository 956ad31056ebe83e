# payer-assistant: `make demo` opens the app on a demo workspace; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_WS ?= .demo-workspace
# The suites build their workspaces here, never in the user's (first run: a few minutes).
EVAL_WS ?= .eval-workspace
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint bench eval smoke clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

demo: $(STAMP) ## Build the demo workspace and open the assistant on it
	$(BIN)/python -m assistant.demo --workspace $(DEMO_WS)

test: $(STAMP) ## Run the whole test suite (slow tests included)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## Run the tests not marked slow
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP) ## ruff, mypy and the import-layering contracts
	$(BIN)/ruff check assistant tests bench evals
	$(BIN)/ruff format --check assistant tests bench evals
	$(BIN)/mypy assistant
	$(BIN)/lint-imports

bench: $(STAMP) ## Run the benchmarks in bench/ (figures go in the README)
	$(BIN)/python bench/run_all.py

eval: $(STAMP) ## Run the evaluation suites against the offline model (in a workspace of their own)
	$(BIN)/payer-assistant --workspace $(EVAL_WS) eval

smoke: $(STAMP) ## Run the app in tmux on the demo workspace, ask a question, check the screen
	bash scripts/tmux_smoke.sh $(DEMO_WS)

clean: ## Remove the venv, the demo workspace and caches
	rm -rf $(VENV) $(DEMO_WS) $(EVAL_WS) .pytest_cache .mypy_cache .ruff_cache
