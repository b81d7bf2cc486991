#!/usr/bin/env bash
# memory: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
# the answers already paid for (response cache rows, keyed by model file)
.venv/bin/distill cache import results/memory/cache_llamacpp.jsonl
.venv/bin/distill experiment experiment=memory
