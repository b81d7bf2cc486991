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
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from distill import io
from distill.experiment import outcomes_of
from distill.records import Task, bfcl_category
from distill.stats import Outcomes, wilson

RESULTS = Path(__file__).resolve().parent


def heldout_flags(tasks: Iterable[Task]) -> dict[str, bool]:
    """task id -> whether the test task uses a held-out tool."""
    return {t.id: bool(t.meta.get("heldout_tool")) for t in tasks if t.split == "test"}


def split_counts(outcomes: Outcomes, flags: Mapping[str, bool], where: str = "") -> dict[bool, tuple[int, int]]:
    """held out? -> (right, n) over an eval run's outcomes but BFCL's; a task the flags lack is an error."""
    counts = {False: [0, 0], True: [0, 0]}
    for task_id, (subtask, correct) in outcomes.items():
        if bfcl_category(subtask) is not None:
            continue
        if task_id not in flags:
            raise SystemExit(f"{where}: task {task_id} is not a test task of the tasks run given")
        cell = counts[flags[task_id]]
        cell[0] += correct
        cell[1] += 1
    return {held: (right, n) for held, (right, n) in counts.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", help="a folder of results/ with runs/")
    parser.add_argument("--tasks-run", type=Path, help="the evaluation tasks run (default: the one the manifests name)")
    args = parser.parse_args()
    runs = sorted(path.parent for path in (RESULTS / args.experiment / "runs").glob("*/results.jsonl"))
    if not runs:
        print(f"no archived runs under results/{args.experiment}/runs", file=sys.stderr)
        return 2
    flags_of: dict[Path, dict[str, bool]] = {}  # tasks run -> its flags, read once
    run_flags = []
    for run in runs:
        tasks_run = args.tasks_run or Path(io.read_manifest(run)["tasks"]["tasks_run"])
        if tasks_run not in flags_of:
            try:
                flags_of[tasks_run] = heldout_flags(io.read_tasks(tasks_run))
            except (FileNotFoundError, io.RunNotFinished) as exc:
                print(f"{run.name}: {exc} (the experiment's tasks run: `distill tasks` with its task overrides, "
                      "or pass --tasks-run)", file=sys.stderr)
                return 2
        run_flags.append((run, flags_of[tasks_run]))
    print("| run | seen tools: right/n, Wilson 95% | held-out tools: right/n, Wilson 95% |")
    print("|---|---|---|")
    for run, flags in run_flags:
        counts, cells = split_counts(outcomes_of(run), flags, str(run)), []
        for held in (False, True):
            right, n = counts[held]
            low, high = wilson(right, n)
            cells.append(f"{right}/{n} = {right / n:.3f} [{low:.2f}, {high:.2f}]" if n else "–")
        print(f"| {run.name.removeprefix(args.experiment + '-')} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
