"""Does an arm's accuracy hold on tools it never trained on? Splits each archived evaluation of an experiment
into test tasks on seen tools and on held-out tools (the tasks run marks each test task
``meta.heldout_tool``; a little under half are held out) and prints both accuracies with Wilson intervals and n.
BFCL items are left out (they have no distill tools). Accuracy here is pooled over sub-tasks (right / n),
not the report's macro, and the two groups mix sub-tasks differently (off-topic irrelevance prompts, for
one, count as seen), so compare an arm's column with the base's, not seen with held-out. The
experiment's report does not split by this.

    python results/heldout.py EXPERIMENT [--tasks-run DIR]

Reads ``results/EXPERIMENT/runs/*/results.jsonl`` and the evaluation tasks run each run's manifest names
(``outputs/tasks/EXPERIMENT``, which ``make experiment`` makes first; on a fresh clone, rebuild it with
``distill tasks`` and the overrides in the report's design line, seconds). Run from the repository root.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent


def heldout_flags(tasks_run: Path) -> dict[str, bool]:
    """task id -> whether the test task uses a held-out tool."""
    flags = {}
    with open(tasks_run / "tasks.jsonl", encoding="utf-8") as handle:
        for line in handle:
            task = json.loads(line)
            if task["split"] == "test":
                flags[task["id"]] = bool(task.get("meta", {}).get("heldout_tool"))
    return flags


def split_counts(results: Path, flags: dict[str, bool]) -> dict[bool, tuple[int, int]]:
    """held out? -> (right, n) over the run's non-BFCL answers; a task missing from the tasks run is an error."""
    counts = {False: [0, 0], True: [0, 0]}
    with open(results, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["task_id"].startswith("bfcl"):
                continue
            if row["task_id"] not in flags:
                raise SystemExit(f"{results}: task {row['task_id']} is not a test task of the tasks run given")
            cell = counts[flags[row["task_id"]]]
            cell[0] += row["verdict"]["reason"] == "ok"
            cell[1] += 1
    return {held: (right, n) for held, (right, n) in counts.items()}


def main() -> int:
    from distill.stats import wilson

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", help="a folder of results/ with runs/")
    parser.add_argument("--tasks-run", type=Path, help="the evaluation tasks run (default: the one the manifests name)")
    args = parser.parse_args()
    runs = sorted((RESULTS / args.experiment / "runs").glob("*/results.jsonl"))
    if not runs:
        print(f"no archived runs under results/{args.experiment}/runs", file=sys.stderr)
        return 2
    flags_of: dict[Path, dict[str, bool]] = {}  # tasks run -> its flags, read once
    flags_by_run: dict[Path, dict[str, bool]] = {}
    for results in runs:
        manifest = json.loads((results.parent / "manifest.json").read_text())
        tasks_run = args.tasks_run or Path(manifest["tasks"]["tasks_run"])
        if not (tasks_run / "tasks.jsonl").is_file():
            print(f"{results.parent.name}: tasks run {tasks_run} not found (make it with `distill tasks` and the "
                  "experiment's task overrides, or pass --tasks-run)", file=sys.stderr)
            return 2
        if tasks_run not in flags_of:
            flags_of[tasks_run] = heldout_flags(tasks_run)
        flags_by_run[results] = flags_of[tasks_run]
    print("| run | seen tools: right/n, Wilson 95% | held-out tools: right/n, Wilson 95% |")
    print("|---|---|---|")
    for results in runs:
        counts, cells = split_counts(results, flags_by_run[results]), []
        for held in (False, True):
            right, n = counts[held]
            low, high = wilson(right, n)
            cells.append(f"{right}/{n} = {right / n:.3f} [{low:.2f}, {high:.2f}]" if n else "–")
        print(f"| {results.parent.name.removeprefix(args.experiment + '-')} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
