"""`make tasks`: generate a task set -> outputs/tasks/<run_name>/{tasks.jsonl,summary.json}."""

from __future__ import annotations

from collections import Counter
from typing import Any

import hydra
from omegaconf import DictConfig

from distill import io
from distill.console import format_table
from distill.recipes import CONF_DIR, build, launch, recipe_run
from distill.records import SPLITS, Task
from distill.tasks.base import ToolPool
from distill.tasks.mixture import Mixture


def run(cfg: DictConfig) -> dict[str, Any]:
    """Generate the configured task set, write it and its summary, print the count table."""
    source = build(cfg.tasks)
    with recipe_run(cfg) as ctx:
        tasks: list[Task] = []
        ctx.counts["tasks"] = io.write_jsonl(ctx.dir / "tasks.jsonl", _collect(source.generate(cfg.seed, True), tasks))
        summary = summarize(tasks, source, cfg.seed)
        io.write_json(ctx.dir / "summary.json", summary)
        ctx.counts["tools"] = summary["tools"]
    rows = [(name, *(c.get(s, 0) for s in SPLITS)) for name, c in summary["subtasks"].items()]
    print(format_table(("subtask", *SPLITS), rows))
    print(f"{ctx.counts['tasks']} tasks, {summary['tools']} tools ({len(summary['heldout_tools'])} held out) "
          f"-> {ctx.dir / 'tasks.jsonl'}")
    return summary


def _collect(tasks: Any, sink: list[Task]) -> Any:
    for task in tasks:
        sink.append(task)
        yield task


def summarize(tasks: list[Task], source: Any, seed: int) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    for task in tasks:
        counts.setdefault(task.subtask, Counter())[task.split] += 1
    if isinstance(source, Mixture):
        from distill.tools import registry

        pool = ToolPool(seed, source.heldout_tool_fraction, source.heldout_template_fraction)
        n_tools, heldout = len(registry().tools), sorted(pool.heldout_tools)
    else:
        n_tools, heldout = len({t.name for task in tasks for t in task.tools}), []
    return {
        "source": source.name,
        "subtasks": {name: {s: c.get(s, 0) for s in SPLITS} for name, c in counts.items()},
        "tools": n_tools,
        "heldout_tools": heldout,
    }


@hydra.main(config_path=CONF_DIR, config_name="tasks", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
