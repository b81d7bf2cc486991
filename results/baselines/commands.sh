#!/usr/bin/env bash
# Baselines of the three offline models on the same tasks: 20 test tasks per sub-task (half on held-out
# tools) + 20 per BFCL non-live category. Qwen models on llama.cpp (target=teacher: answers go through the
# response cache, so a killed run resumes where it stopped); SmolLM2-135M as the student (HF, fp32).
# Run from the repository root after `make models`:  bash results/baselines/commands.sh
set -euo pipefail
D=.venv/bin/distill
BFCL="bfcl_categories=[simple_python,multiple,parallel,parallel_multiple,irrelevance]"
timed() { local name=$1; shift; local t0=$SECONDS; "$@"; echo "$name: $((SECONDS - t0)) s" >> results/baselines/wall_times.txt; }
timed qwen0.5b $D eval target=teacher teacher=qwen2.5-coder-0.5b limit_per_subtask=20 "$BFCL" run_name=baseline-qwen0.5b
timed smollm2 $D eval limit_per_subtask=20 "$BFCL" run_name=baseline-smollm2
timed qwen1.5b $D eval target=teacher teacher=qwen2.5-coder-1.5b limit_per_subtask=20 "$BFCL" run_name=baseline-qwen1.5b
$D report run_name=baselines "eval_runs=[outputs/eval/baseline-qwen1.5b,outputs/eval/baseline-qwen0.5b,outputs/eval/baseline-smollm2]"
