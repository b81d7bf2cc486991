#!/usr/bin/env bash
# A trained student, exported to GGUF, answers on llama.cpp as it does in transformers?
# A short `make dpo` (same code path as the demo's: LoRA SFT warm start merged, then DPO; fewer examples),
# exported as q8_0 (make export's default) and f32, then the same 36 test tasks (4 per sub-task) greedy
# on each; compare.py counts identical answers and identical verdicts.  Run from the repository root.
set -euo pipefail
D=.venv/bin/distill
OUT=results/export_roundtrip
timed() { local name=$1; shift; local t0=$SECONDS; "$@"; echo "$name: $((SECONDS - t0)) s" >> $OUT/wall_times.txt; }
timed pairs $D pairs run_name=default
timed dpo $D dpo run_name=export-check sft_examples=64 max_pairs=16 eval.per_subtask=0
timed export-q8_0 $D export checkpoint=outputs/dpo/export-check/model run_name=export-check-q8_0 outtype=q8_0
timed export-f32 $D export checkpoint=outputs/dpo/export-check/model run_name=export-check-f32 outtype=f32
timed eval-hf $D eval checkpoint=outputs/dpo/export-check/model limit_per_subtask=4 run_name=export-check-hf
for t in q8_0 f32; do
  timed eval-llamacpp-$t $D eval target=teacher teacher=llamacpp teacher.model=outputs/export/export-check-$t/model.gguf \
      limit_per_subtask=4 run_name=export-check-llamacpp-$t
done
.venv/bin/python $OUT/compare.py outputs/eval/export-check-hf outputs/eval/export-check-llamacpp-q8_0 \
    outputs/eval/export-check-llamacpp-f32 | tee $OUT/comparison.txt
