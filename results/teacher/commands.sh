#!/usr/bin/env bash
# teacher: run from the repository root after `make models`; rerunning resumes.
set -euo pipefail
# the answers already paid for (response cache rows, keyed by model file)
.venv/bin/distill cache import results/teacher/cache_llamacpp.jsonl
.venv/bin/distill experiment experiment=teacher
