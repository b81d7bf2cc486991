#!/usr/bin/env bash
# The demo's stages on a small budget: tasks -> pairs -> dpo (tiny-random) -> eval base and trained -> report.
# Run from a checkout's root: bash /work/equiv/mini_demo.sh <python>; prints the sha256 of each run's results.
set -euo pipefail
PY=$1
export DISTILL_TASKS_ROOT=$PWD/outputs/tasks_root HF_HUB_OFFLINE=1
C="cache.path=$PWD/mini.sqlite"
$PY -m distill.cli tasks run_name=mini tasks.total=360
$PY -m distill.cli pairs run_name=mini tasks_run=outputs/tasks/mini $C
$PY -m distill.cli dpo run_name=mini pairs_run=outputs/pairs/mini student=tiny-random max_pairs=16 sft_examples=16 \
    max_pair_tokens=null eval.per_subtask=2 eval.max_tokens=8 dpo.args.per_device_train_batch_size=4 rounds=2 \
    on_policy.backend=hf on_policy.tasks_per_round=6 on_policy.sampling.max_tokens=8
$PY -m distill.cli eval run_name=mini-base tasks_run=outputs/tasks/mini student=tiny-random limit_per_subtask=3 sampling.max_tokens=8 'bfcl_categories=[simple_python,irrelevance]'
$PY -m distill.cli eval run_name=mini-trained tasks_run=outputs/tasks/mini student=tiny-random checkpoint=outputs/dpo/mini/model limit_per_subtask=3 sampling.max_tokens=8 'bfcl_categories=[simple_python,irrelevance]'
$PY -m distill.cli report run_name=mini 'eval_runs=[outputs/eval/mini-base,outputs/eval/mini-trained]' pairs_run=outputs/pairs/mini 'dpo_runs=[outputs/dpo/mini]'
