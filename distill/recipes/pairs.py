"""`make pairs`: tasks -> teacher samples -> verdicts -> DPO pairs -> outputs/pairs/<run_name>/."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from typing import Any

import hydra
from omegaconf import DictConfig

from distill import io
from distill.console import format_table
from distill.contamination import drop_contaminated
from distill.pairs import Judged, build_pairs, pair_stats, to_datasets
from distill.recipes import CONF_DIR, build, launch, load_tasks, recipe_run, require_split
from distill.records import Task
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.sampling.cache import CachedSampler, cached_sampler
from distill.toolsets import Executor, open_executor
from distill.train import spread
from distill.verify import VerifyConfig, judge_samples, label_samples, verifier_fingerprint

log = logging.getLogger("distill")


def run(cfg: DictConfig) -> dict[str, Any]:
    """Build the pairs run the config describes; returns its stats."""
    params, config = build(cfg.sampling), build(cfg.pairs)
    verify, teacher_cfg, cache_cfg = build(cfg.verify), build(cfg.teacher), build(cfg.cache)
    tasks, origin = load_tasks(cfg, progress=True)
    for split in config.splits:
        require_split(tasks, split, origin)
    with (cached_sampler(teacher_cfg, cache_cfg) as teacher, recipe_run(cfg) as ctx,
          open_executor(build(cfg.tools), verify) as sandbox):
        ctx.extra["tasks"] = origin
        train, dropped = drop_contaminated([t for t in tasks if t.split in config.splits],
                                           [*(t for t in tasks if t.split == "test"), *_bfcl_tasks()],
                                           cfg.contamination_ngram)
        if cfg.max_tasks is not None:
            train = [train[i] for i in sorted(spread([t.subtask for t in train], cfg.max_tasks, cfg.seed))]
        judged = judge_samples(train, teacher.sample(_with_memory(cfg, train, teacher), params), verify, sandbox)
        student = _student_negatives(cfg, train, verify, sandbox)
        pairs, counts = build_pairs(train, judged, student, config,
                                    lambda samples: label_samples(train, samples, verify, sandbox), cfg.seed)
        stats = {**pair_stats(pairs), "contamination_dropped": len(dropped), "tasks": len(train),
                 "teacher": _teacher_stats(teacher_cfg, judged, teacher), **counts}
        _write(ctx.dir, tasks, pairs, stats)
        ctx.counts.update(pairs=len(pairs), tasks=len(train), contamination_dropped=len(dropped))
        ctx.extra.update(teacher=stats["teacher"], verifier=verifier_fingerprint())
    _print(stats, ctx.dir)
    return stats


def _with_memory(cfg: DictConfig, train: list[Task], teacher: Any) -> list[Task]:
    """The prompts the teacher sees: with sub-task memory (``memory=awm``) its top routines are in the
    system prompt; the pairs keep the plain prompts (the student trains without memory)."""
    from distill.memory import MemoryConfig, induce, traces_from_pairs, with_routines

    memory: MemoryConfig = build(cfg.memory)
    if not memory.enabled:
        return train
    if memory.online or not memory.pairs_run:
        raise ValueError("memory: a teacher with memory needs memory.pairs_run (its verified traces) and "
                         "memory.online=false")
    traces = traces_from_pairs(io.read_pairs(memory.pairs_run))
    return with_routines(train, induce(traces), traces, memory, teacher)


def _student_negatives(cfg: DictConfig, train: list[Task], verify: VerifyConfig, sandbox: Executor) -> Judged:
    if cfg.student_tasks <= 0:
        return {}
    params: SamplingParams = build(cfg.student_sampling)
    chosen = train[: cfg.student_tasks]
    with open_sampler(student_sampler_config(cfg)) as student:
        return judge_samples(chosen, student.sample(chosen, params), verify, sandbox)


def student_sampler_config(cfg: DictConfig) -> SamplerConfig:
    """``student_sampler``, with the student's own ``tools_in_template`` for the hf backend (as make dpo and
    make eval sample the student) unless ``student_sampler.options`` sets it."""
    config: SamplerConfig = build(cfg.student_sampler)
    if config.backend != "hf":
        return config
    return dataclasses.replace(config, options={"tools_in_template": cfg.student.tools_in_template,
                                                **config.options})


def _bfcl_tasks() -> list[Task]:
    from distill.assets import AssetMissing
    from distill.tasks.bfcl import CATEGORIES, load_category

    try:
        return [t for c in CATEGORIES for t in load_category(c)]
    except AssetMissing as exc:
        log.warning("contamination check without BFCL: %s", exc)
        return []


def _teacher_stats(config: SamplerConfig, judged: Judged, teacher: CachedSampler) -> dict[str, Any]:
    correct: dict[str, Counter[str]] = {}
    for pairs in judged.values():
        for _, verdict in pairs:
            subtask = verdict.task_id.split("/")[0]
            correct.setdefault(subtask, Counter())["correct" if verdict.correct else "wrong"] += 1
    runner = getattr(teacher.inner, "runner", None)
    return {
        "backend": config.backend, "model": config.model, "simulated": config.backend == "simulated",
        "accuracy_by_subtask": {s: round(c["correct"] / max(1, sum(c.values())), 4)
                                for s, c in sorted(correct.items())},
        "cache": dataclasses.asdict(teacher.counters),
        "api": dataclasses.asdict(runner.counters) if runner is not None else None,
    }


def _write(run_dir: Any, tasks: list[Task], pairs: list[Any], stats: dict[str, Any]) -> None:
    conversational, rendered = to_datasets(pairs)
    io.write_jsonl(run_dir / "tasks.jsonl", tasks)  # every split: make dpo evaluates on dev, samples train
    io.write_jsonl(run_dir / "pairs.jsonl", pairs)
    io.save_dataset(conversational, run_dir / "dataset")
    io.save_dataset(rendered, run_dir / "rendered")
    io.write_json(run_dir / "stats.json", stats)


def _print(stats: dict[str, Any], run_dir: Any) -> None:
    print(format_table(("subtask", "source", "reason", "pairs"), stats["table"]))
    teacher = stats["teacher"]
    label = " (SIMULATED teacher)" if teacher["simulated"] else ""
    print(f"{stats['pairs']} pairs from {stats['tasks']} tasks, teacher {teacher['backend']}:{teacher['model']}"
          f"{label}; {stats['contamination_dropped']} prompts dropped for contamination -> {run_dir}")


@hydra.main(config_path=CONF_DIR, config_name="pairs", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
