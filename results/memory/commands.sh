#!/usr/bin/env bash
# memory: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
# the answers already paid for (both Qwens' llama.cpp rows of the response cache; keyed by the GGUF's sha256)
.venv/bin/distill cache import results/memory/cache_llamacpp.jsonl
.venv/bin/distill experiment experiment=memory
