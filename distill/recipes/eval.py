"""`make eval`: per-sub-task accuracy of a model on a task set -> outputs/eval/<run_name>/.

The model is a student (the base one, or a `make dpo` checkpoint: ``checkpoint=outputs/dpo/x/model``)
or any teacher backend (``target=teacher teacher=openai``; answers go through the response cache).
Writes results.jsonl (task, output, verdict, reason) and summary.json with Wilson 95% intervals; BFCL
categories are scored by BFCL's rules.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from distill import io
from distill.console import format_table
from distill.evaluate import evaluate, leaderboard_rows, summarize
from distill.memory import ROUTINES_FILE, MemoryConfig, evaluate_with_memory, traces_from_pairs
from distill.models import StudentSpec, check_checkpoint, load_checkpoint, load_student
from distill.recipes import CONF_DIR, build, launch, load_tasks, recipe_run, require_split
from distill.records import Task, first_per_subtask
from distill.sampling.base import Sampler
from distill.sampling.cache import cached_sampler
from distill.sampling.hf import HFSampler
from distill.toolsets import open_executor
from distill.verify import verifier_fingerprint

log = logging.getLogger("distill")


def run(cfg: DictConfig) -> dict[str, Any]:
    """Evaluate the configured model; returns the summary."""
    verify, params = build(cfg.verify), build(cfg.sampling)
    every, origin = load_tasks(cfg)
    require_split(every, cfg.split, origin)
    tasks = first_per_subtask([t for t in every if t.split == cfg.split], cfg.limit_per_subtask)
    tasks += bfcl_tasks(cfg)
    sampler, name = _model(cfg)
    memory: MemoryConfig = build(cfg.memory)
    with sampler, recipe_run(cfg) as ctx, open_executor(build(cfg.tools), verify) as sandbox:
        ctx.extra["tasks"] = origin
        if memory.enabled:
            traces = traces_from_pairs(io.read_pairs(memory.pairs_run)) if memory.pairs_run else []
            records, routines = evaluate_with_memory(sampler, tasks, params, name, verify, sandbox, memory, traces)
            io.write_jsonl(ctx.dir / ROUTINES_FILE, routines)  # beside the answers; `make experiment` archives it
            ctx.counts["routines"] = len(routines)
        else:
            records = evaluate(sampler, tasks, params, name, verify, sandbox)
        summary = summarize(records, name)
        summary["memory"] = dataclasses.asdict(memory)
        summary["target"] = cfg.target
        summary["simulated"] = cfg.target == "teacher" and cfg.teacher.backend == "simulated"
        io.write_jsonl(ctx.dir / "results.jsonl", records)
        io.write_json(ctx.dir / "summary.json", summary)
        ctx.counts.update(tasks=len(tasks), correct=sum(r.verdict.correct for r in records))
        ctx.extra.update(model=name, verifier=verifier_fingerprint(), **_facts(cfg, memory))
    _print(summary, ctx.dir)
    return summary


def bfcl_tasks(cfg: DictConfig) -> list[Task]:
    """The BFCL tasks an eval config asks for (``bfcl_categories``, ``limit_per_subtask`` each)."""
    if not cfg.bfcl_categories:
        return []
    from distill.tasks.bfcl import BfclSet

    return list(BfclSet("bfcl", tuple(cfg.bfcl_categories), cfg.limit_per_subtask).generate())


def _facts(cfg: DictConfig, memory: MemoryConfig) -> dict[str, str]:
    """What this run evaluated, for reports: its role (``teacher``, ``base`` or ``trained``), its memory
    kind, and for a trained student the arm the dpo run wrote (e.g. ``granular SFT->DPO``)."""
    role = "teacher" if cfg.target == "teacher" else "trained" if cfg.checkpoint else "base"
    arm = ""
    if role == "trained":
        try:
            arm = io.read_manifest(Path(cfg.checkpoint).parent).get("arm", "")
        except (FileNotFoundError, io.RunNotFinished):
            log.warning("checkpoint=%s: no finished dpo run beside it; its arm is not recorded", cfg.checkpoint)
    return {"role": role, "memory": memory.kind, "arm": arm}


def _model(cfg: DictConfig) -> tuple[Sampler, str]:
    """(sampler, model name for reports)."""
    if cfg.target == "teacher":
        config = build(cfg.teacher)
        cached = cached_sampler(config, build(cfg.cache))
        return cached, f"{config.backend}:{config.model}"
    if cfg.target != "student":
        raise ValueError(f"target={cfg.target!r}: expected student or teacher")
    spec: StudentSpec = build(cfg.student)
    if cfg.checkpoint:
        check_checkpoint(Path(cfg.checkpoint))  # before seconds of loading the base model
    model, tokenizer = load_student(spec, "float32")
    name = spec.name
    if cfg.checkpoint:
        model, tokenizer, name = load_checkpoint(model, Path(cfg.checkpoint), spec)
    return HFSampler.from_model(model, tokenizer, name, batch_size=cfg.batch_size,
                                tools_in_template=spec.tools_in_template), name


def _print(summary: dict[str, Any], run_dir: Path) -> None:
    scored = {**summary["subtasks"], **summary.get("bfcl", {}).get("detail", {})}
    rows = [(name, s["n"], f"{s['accuracy']:.3f}", f"[{s['ci95'][0]:.2f}, {s['ci95'][1]:.2f}]")
            for name, s in scored.items()]
    print(format_table(("subtask", "n", "accuracy", "95% CI"), rows))
    board = leaderboard_rows(summary)
    for header, values in zip(board[::2], board[1::2], strict=True):
        print(format_table(header, [values]))
    macro = summary["overall"]["macro_accuracy"]
    bfcl = summary.get("bfcl", {}).get("leaderboard", {}).get("non_live", {}).get("Non-Live Overall Acc")
    label = " (SIMULATED teacher)" if summary.get("simulated") else ""
    print(f"{summary['model']}{label}: macro accuracy {macro if macro is not None else '-'}"
          + (f", BFCL non-live overall {bfcl} (the leaderboard's formula: a category not run counts 0)"
             if bfcl is not None else "") + f" -> {run_dir}")


@hydra.main(config_path=CONF_DIR, config_name="eval", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
