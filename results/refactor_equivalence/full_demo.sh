#!/usr/bin/env bash
# `make demo`'s six stages at two commits (the same seeds, this checkout's .venv), then a comparison of
# every run's summary.json and answers. From the repository root, after `make setup`:
#   bash results/refactor_equivalence/full_demo.sh 52f1851 HEAD      (about 27 min per commit on 2 cores)
# The stages are the Makefile's demo recipe (unchanged since 52f1851), run with `python -m distill.cli`
# and PYTHONPATH set to each worktree, so each commit's code runs and the shared venv is not reinstalled.
set -euo pipefail
ROOT=$PWD
PY=$ROOT/.venv/bin/python
EVAL=(limit_per_subtask=8 "bfcl_categories=[simple_python,multiple,parallel,parallel_multiple,irrelevance]")
for rev in "$1" "$2"; do
  sha=$(git rev-parse --short "$rev")
  dir=/tmp/equiv-demo-$sha
  [ -d "$dir" ] || git worktree add --detach "$dir" "$sha"
  [ -f "$dir/outputs/report/default/report.md" ] && continue   # finished before: not redone
  (
    cd "$dir"
    export PYTHONPATH=$dir DISTILL_TASKS_ROOT=$dir/outputs/tasks_root
    D="$PY -m distill.cli"
    t0=$SECONDS
    $D tasks
    $D pairs
    $D dpo eval.per_subtask=0
    $D eval run_name=base "${EVAL[@]}"
    $D eval run_name=trained checkpoint=outputs/dpo/default/model "${EVAL[@]}"
    $D report
    echo "$sha: $((SECONDS - t0)) s" >> "$ROOT/results/refactor_equivalence/full_demo_wall_times.txt"
  )
done
"$PY" - "$1" "$2" <<'PY'
import hashlib, json, subprocess, sys
from pathlib import Path
dirs = [Path(f"/tmp/equiv-demo-{subprocess.check_output(['git', 'rev-parse', '--short', r], text=True).strip()}") for r in sys.argv[1:]]
def answers(path):  # every answer and verdict, without timing fields
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row.get("sample", {}).pop("latency_s", None)
    return rows
for rel in ("tasks/default/tasks.jsonl", "eval/base/summary.json", "eval/trained/summary.json", "dpo/default/dev_accuracy.json"):
    a, b = (d / "outputs" / rel for d in dirs)
    if a.exists() and b.exists():
        same = hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
        print(f"{rel}: {'identical (sha256)' if same else 'DIFFERENT'}")
for run in ("base", "trained"):
    a, b = (answers(d / "outputs" / "eval" / run / "results.jsonl") for d in dirs)
    print(f"eval/{run}/results.jsonl: {sum(x == y for x, y in zip(a, b))} of {len(a)} answers and verdicts identical"
          + ("" if len(a) == len(b) else f" (lengths {len(a)} vs {len(b)})"))
for d in dirs:
    s = json.loads((d / "outputs" / "eval" / "trained" / "summary.json").read_text())
    print(d.name, "trained macro", s["overall"])
PY
