#!/usr/bin/env bash
# make pairs from a real local teacher: Qwen2.5-Coder-1.5B on llama.cpp, 60 train tasks spread over the
# 9 sub-tasks, 2 samples each (one prefill per task), at most 256 new tokens. Then the same command
# again: every answer comes from the cache.  Run from the repository root after `make models`.
set -euo pipefail
.venv/bin/distill pairs teacher=qwen2.5-coder-1.5b max_tasks=60 sampling.n=2 sampling.max_tokens=256 run_name=qwen1.5b
.venv/bin/distill pairs teacher=qwen2.5-coder-1.5b max_tasks=60 sampling.n=2 sampling.max_tokens=256 run_name=qwen1.5b-rerun
cmp outputs/pairs/qwen1.5b/pairs.jsonl outputs/pairs/qwen1.5b-rerun/pairs.jsonl && echo "identical pairs"
