"""`make tasks`: make a task set -> outputs/tasks/<run_name>/{tasks.jsonl,summary.json}.

The built-in library's tasks come from its templates (`distill.tasks.mixture`); any other tool source
(``tools=python|schemas|openapi|mcp``) gets its tasks written by ``writer`` and kept when they pass the
checks of `distill.tasks.writer` (drop counts per stage and sub-task go into summary.json).
"""

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
from distill.toolsets import Toolset, describe, open_executor


def run(cfg: DictConfig) -> dict[str, Any]:
    """Make the configured task set, write it and its summary, print the count table."""
    source, toolset = build(cfg.tasks), build(cfg.tools)
    if not toolset.templated and not isinstance(source, Mixture):
        raise ValueError(f"tools={toolset.name}: tasks={source.name} is not a mixture of sub-tasks; written tasks "
                         "take tasks=granular or tasks=umbrella")
    with recipe_run(cfg) as ctx:
        ctx.extra["tools"] = describe(toolset)
        if toolset.templated:
            tasks: list[Task] = []
            generated = _collect(source.generate(cfg.seed, True), tasks)
            ctx.counts["tasks"] = io.write_jsonl(ctx.dir / "tasks.jsonl", generated)
            summary = summarize(tasks, source, cfg.seed)
        else:
            tasks, written = _written(cfg, source, toolset)
            ctx.counts["tasks"] = io.write_jsonl(ctx.dir / "tasks.jsonl", tasks)
            summary = {**summarize(tasks, source, cfg.seed, toolset), "written": written}
        summary["toolset"] = ctx.extra["tools"]
        io.write_json(ctx.dir / "summary.json", summary)
        ctx.counts["tools"] = summary["tools"]
    _print(summary, ctx)
    return summary


def _written(cfg: DictConfig, mixture: Mixture, toolset: Toolset) -> tuple[list[Task], dict[str, Any]]:
    from distill.sampling.cache import cached_sampler
    from distill.tasks.writer import write_tasks

    verify, cache = build(cfg.verify), build(cfg.cache)
    with (cached_sampler(build(cfg.writer), cache) as writer, cached_sampler(build(cfg.checker), cache) as checker,
          open_executor(toolset, verify) as executor):
        return write_tasks(mixture, toolset.tools(), cfg.seed, writer, checker, executor, verify, build(cfg.written))


def _collect(tasks: Any, sink: list[Task]) -> Any:
    for task in tasks:
        sink.append(task)
        yield task


def summarize(tasks: list[Task], source: Any, seed: int, toolset: Toolset | None = None) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    for task in tasks:
        counts.setdefault(task.subtask, Counter())[task.split] += 1
    if toolset is not None:
        from distill.tasks.writer import heldout_tools

        tools = toolset.tools()
        n_tools, heldout = len(tools), sorted(heldout_tools(tools, seed, source.heldout_tool_fraction))
    elif isinstance(source, Mixture):
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


def _print(summary: dict[str, Any], ctx: Any) -> None:
    rows = [(name, *(c.get(s, 0) for s in SPLITS)) for name, c in summary["subtasks"].items()]
    print(format_table(("subtask", *SPLITS), rows))
    written = summary.get("written")
    if written is not None:
        stages = [(stage, sum(c.values()), ", ".join(f"{k} {v}" for k, v in c.items()) or "-")
                  for stage, c in written["dropped"].items()]
        print(format_table(("check", "dropped", "by sub-task"), stages))
        if written["unsupported_subtasks"]:
            print(f"not made (schema-only tools have no results): {', '.join(written['unsupported_subtasks'])}")
        if written["short"]:
            print("fewer tasks than budgeted: " + ", ".join(f"{k} -{v}" for k, v in written["short"].items()))
    print(f"{ctx.counts['tasks']} tasks, {summary['tools']} tools ({len(summary['heldout_tools'])} held out) "
          f"from tools={summary['toolset']['name']} -> {ctx.dir / 'tasks.jsonl'}")


@hydra.main(config_path=CONF_DIR, config_name="tasks", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
