"""`make dpo`: TRL DPO of the student on a pairs run -> outputs/dpo/<run_name>/.

Round 0 trains on the pairs run (optionally after an SFT warm start); each further round samples the
student on fresh train tasks, verifies its answers and trains again on pairs whose rejected side is
the student's own failure. Dev-split accuracy (through the verifier) is measured before training and
after every round, written to metrics.jsonl and printed as before -> after per sub-task.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from distill import io
from distill.console import format_table
from distill.evaluate import evaluate, flat_metrics, summarize
from distill.models import StudentSpec, load_student
from distill.recipes import CONF_DIR, build, launch, recipe_run
from distill.records import Task, first_per_subtask
from distill.sampling.base import SamplingParams
from distill.sampling.hf import HFSampler
from distill.toolsets import Executor, check_tools, open_executor
from distill.train import (
    check_prefix,
    cpu_or_gpu,
    device_defaults,
    length_grouped,
    lora_on_top_layers,
    one_per_task,
    pair_length,
    plot_curve,
    save_student,
    spread,
    stratified,
    token_budget,
    train_dpo,
    train_sft,
    uses_native_tools,
)
from distill.verify import VerifyConfig

log = logging.getLogger("distill")


def run(cfg: DictConfig) -> dict[str, Any]:
    """Train the student; returns {"before": summary, "after": summary}."""
    spec: StudentSpec = build(cfg.student)
    verify: VerifyConfig = build(cfg.verify)
    pairs_dir = Path(cfg.pairs_run)
    pairs_manifest = io.read_manifest(pairs_dir)
    dpo_args, sft_args, peft = training_arguments(cfg.dpo)
    _clear_stale_checkpoints(Path(cfg.output_dir), cfg)
    datasets = {name: io.load_dataset(pairs_dir / name) for name in ("dataset", "rendered")}  # before the model
    tasks = io.read_tasks(pairs_dir)  # never regenerated from (or instantiated out of) the manifest
    toolset = build(cfg.tools)
    check_tools(tasks, toolset, f"pairs_run={pairs_dir}")
    with recipe_run(cfg) as ctx, open_executor(toolset, verify) as sandbox:
        ctx.extra["tasks"] = {**(pairs_manifest.get("tasks") or {}), "pairs_run": str(pairs_dir)}
        model, tokenizer = load_student(spec, "float32")
        peft = lora_on_top_layers(peft, model.config.num_hidden_layers, cfg.dpo.top_layers)
        native = uses_native_tools(tokenizer, spec.tools_in_template)
        dataset = datasets["dataset" if native else "rendered"]
        check_prefix(tokenizer, [dataset[i] for i in range(min(16, len(dataset)))], native)
        dev = first_per_subtask([t for t in tasks if t.split == "dev"], cfg.eval.per_subtask)
        history: list[dict[str, Any]] = []
        seconds: dict[str, float] = ctx.extra.setdefault("phase_seconds", {})
        before = _evaluate(model, tokenizer, spec, dev, cfg, verify, sandbox, ctx.dir / "dev" / "before.jsonl", seconds)
        history.append({"round": -1, "phase": "before", **_flat(before)})
        budget = token_budget(tokenizer, cpu_or_gpu(cfg.max_pair_tokens, 512, None), native)
        weights = OmegaConf.to_container(cfg.subtask_weights) if cfg.subtask_weights else None
        max_pairs = cpu_or_gpu(cfg.max_pairs, 64, None)  # per round
        selected = stratified(dataset, max_pairs, cfg.seed, budget, weights)
        train_set = _grouped(selected, tokenizer, native, dpo_args, cfg.seed)
        used = set(selected["task_id"])  # tasks trained on: on-policy rounds sample others
        warm_start = cfg.sft_warmup or cfg.sft_only
        if warm_start:
            answers = stratified(one_per_task(dataset), cpu_or_gpu(cfg.sft_examples, 256, None), cfg.seed, budget,
                                 weights)
            with _phase(f"SFT warm start on {len(answers)} answers", seconds, "sft"):
                model, logs = train_sft(model, tokenizer, _grouped(answers, tokenizer, native, sft_args, cfg.seed),
                                        sft_args, peft, ctx.dir / "checkpoints" / "sft")
            history += [{"round": 0, "phase": "sft", **h} for h in logs]
            ctx.counts["sft_examples"] = len(answers)
            used |= set(answers["task_id"])
        after = before
        for number in range(cfg.rounds if not cfg.sft_only else 1):
            if number > 0:
                fresh_tasks = _fresh_tasks(tasks, used, cfg.on_policy.tasks_per_round, cfg.seed + number, weights)
                used |= {t.id for t in fresh_tasks}
                with _phase(f"round {number}: sampling the student on {len(fresh_tasks)} fresh tasks", seconds,
                            f"sample-round-{number}"):
                    fresh = _on_policy_pairs(model, tokenizer, spec, fresh_tasks, number, cfg, verify, sandbox,
                                             native)
                failed = set(fresh["subtask"])  # sub-tasks the student got right yield no pairs
                fresh = stratified(fresh, max_pairs, cfg.seed + number, budget,
                                   {k: v for k, v in (weights or {}).items() if k in failed})
                train_set = _grouped(fresh, tokenizer, native, dpo_args, cfg.seed + number)
            if number > 0 and not len(train_set):
                log.warning("round %d: the student failed none of its %d fresh tasks; nothing to train on",
                            number, cfg.on_policy.tasks_per_round)
            elif not cfg.sft_only:
                with _phase(f"round {number}: DPO on {len(train_set)} pairs", seconds, f"dpo-round-{number}"):
                    model, logs = train_dpo(model, tokenizer, train_set, {**dpo_args, "seed": cfg.seed + number},
                                            peft if number == 0 else None,
                                            ctx.dir / "checkpoints" / f"round-{number}")
                history += [{"round": number, "phase": "dpo", **h} for h in logs]
            after = _evaluate(model, tokenizer, spec, dev, cfg, verify, sandbox,
                              ctx.dir / "dev" / f"after-round-{number}.jsonl", seconds)
            history.append({"round": number, "phase": "after", **_flat(after)})
            io.write_jsonl(ctx.dir / "metrics.jsonl", history)
        # The SFT warm start is merged into the weights, so an adapter alone would lose it: save it merged.
        save_student(model, tokenizer, ctx.dir / "model", merge=cfg.merge or bool(warm_start and peft))
        io.write_jsonl(ctx.dir / "metrics.jsonl", history)
        plot_curve(history, ctx.dir / "train_curve.png")
        io.write_json(ctx.dir / "dev_accuracy.json", {"before": before, "after": after})
        ctx.counts.update(pairs=len(train_set), dev_tasks=len(dev), rounds=cfg.rounds)
        ctx.extra.update(student=spec.name, pairs_run=str(pairs_dir), native_tools=native,
                         teacher=pairs_manifest.get("teacher"))
    _print(before, after, ctx.dir)
    return {"before": before, "after": after}


@contextlib.contextmanager
def _phase(what: str, seconds: dict[str, float], key: str) -> Iterator[None]:
    """Log a phase's start and duration (dpo.log), and keep the duration for the manifest."""
    log.info("%s ...", what)
    started = time.monotonic()
    yield
    seconds[key] = round(time.monotonic() - started, 1)
    log.info("%s: done in %.0f s", what, seconds[key])


def training_arguments(node: DictConfig) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(trl.DPOConfig kwargs, trl.SFTConfig kwargs, peft config or None) from a ``conf/dpo/*.yaml`` node,
    with bf16 / gradient checkpointing filled for this device (DPOConfig itself would turn bf16 on)."""
    peft = build(node.peft) if node.peft is not None else None
    return device_defaults(_plain(node.args)), device_defaults(_plain(node.sft)), peft


def _clear_stale_checkpoints(run_dir: Path, cfg: DictConfig) -> None:
    """Resume only an interrupted run of the same configuration: a finished run, or one with another
    config, leaves checkpoints that must not be resumed (they could even be past this run's last step).
    The checkpoints folder records the config that made it."""
    import shutil

    checkpoints = run_dir / "checkpoints"
    current = io.redact(OmegaConf.to_container(cfg, resolve=True))
    if checkpoints.exists():
        try:
            status = io.read_manifest(run_dir, finished=False).get("status")
            made_by = io.read_json(checkpoints / "config.json")
        except FileNotFoundError:
            status, made_by = None, None
        if status not in ("running", "failed") or made_by != current:
            log.info("starting fresh: removing checkpoints of a finished or different run in %s", checkpoints)
            shutil.rmtree(checkpoints)
    checkpoints.mkdir(parents=True, exist_ok=True)
    io.write_json(checkpoints / "config.json", current)  # the config these checkpoints belong to


def _grouped(dataset: Any, tokenizer: Any, native: bool, args: dict[str, Any], seed: int) -> Any:
    lengths = [pair_length(tokenizer, row, native) for row in dataset]
    return length_grouped(dataset, lengths, args["per_device_train_batch_size"], seed)


def _plain(node: DictConfig) -> dict[str, Any]:
    values = OmegaConf.to_container(node, resolve=True)
    assert isinstance(values, dict)
    values.pop("_target_", None)
    return values


def _sampler(model: Any, tokenizer: Any, spec: StudentSpec, cfg: DictConfig, native: bool | None = None) -> HFSampler:
    return HFSampler.from_model(model, tokenizer, spec.name, batch_size=cfg.eval.batch_size,
                                tools_in_template=native, progress=True)


def _evaluate(model: Any, tokenizer: Any, spec: StudentSpec, dev: list[Task], cfg: DictConfig,
              verify: VerifyConfig, sandbox: Executor, results: Path,
              seconds: dict[str, float]) -> dict[str, Any] | None:
    """The dev summary, or None when the dev evaluation is switched off (``eval.per_subtask=0``);
    each answer with its verdict goes to `results` (as make eval's results.jsonl), the time it took
    to ``seconds["eval-<results stem>"]``."""
    if not dev:
        return None
    model.eval()
    params = SamplingParams(n=1, temperature=0.0, max_tokens=cfg.eval.max_tokens, seed=cfg.seed)
    with _phase(f"dev evaluation ({results.stem})", seconds, f"eval-{results.stem}"):
        records = evaluate(_sampler(model, tokenizer, spec, cfg, spec.tools_in_template), dev, params, spec.name,
                           verify, sandbox)
    io.write_jsonl(results, records)
    summary = summarize(records, spec.name)
    log.info("dev macro accuracy %s (%d tasks) -> %s", summary["overall"]["macro_accuracy"], len(records), results)
    return summary


def _flat(summary: dict[str, Any] | None) -> dict[str, float]:
    return flat_metrics(summary) if summary else {}


def _fresh_tasks(tasks: list[Task], used: set[str], size: int, seed: int,
                 weights: dict[str, float] | None) -> list[Task]:
    """A round's train tasks: `size` of those not trained on yet, spread over the sub-tasks by weight."""
    train = [t for t in tasks if t.split == "train" and t.id not in used]
    return [train[i] for i in spread([t.subtask for t in train], size, seed, weights)]


def _on_policy_pairs(model: Any, tokenizer: Any, spec: StudentSpec, fresh: list[Task], number: int,
                     cfg: DictConfig, verify: VerifyConfig, sandbox: Executor, native: bool) -> Any:
    """Pairs whose rejected side is the student's own failure on `fresh` train tasks (vLLM when installed)."""
    from distill.pairs import PairConfig, build_pairs, to_datasets
    from distill.verify import judge_samples, label_samples

    params: SamplingParams = build(cfg.on_policy.sampling)
    sampler, folder = _on_policy_sampler(model, tokenizer, spec, cfg)
    try:
        student = judge_samples(fresh, list(sampler.sample(fresh, params)), verify, sandbox)
    finally:  # the next step trains: release a vLLM engine (its memory) and the student copy it served
        sampler.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    config = PairConfig(quotas={"student": 2}, allow_gold_chosen=True)
    pairs, _ = build_pairs(fresh, {}, student, config, lambda s: label_samples(fresh, s, verify, sandbox), cfg.seed)
    log.info("round %d: %d on-policy pairs from %d tasks", number, len(pairs), len(fresh))
    conversational, rendered = to_datasets(pairs)
    return conversational if native else rendered


def _on_policy_sampler(model: Any, tokenizer: Any, spec: StudentSpec, cfg: DictConfig) -> tuple[Any, Path | None]:
    """(sampler, the folder of the student copy it serves or None): vLLM serves a merged copy of the
    student saved for the round; HF generation samples the model in memory."""
    backend = cfg.on_policy.backend
    if backend == "auto":
        backend = "vllm" if importlib.util.find_spec("vllm") is not None else "hf"
    if backend == "vllm":
        import tempfile

        from distill.sampling.vllm import VLLMSampler

        folder = Path(tempfile.mkdtemp(prefix="distill-student-"))
        save_student(model, tokenizer, folder, merge=True)
        return VLLMSampler(str(folder), dtype="float32", enforce_eager=True, name=spec.name), folder
    return _sampler(model, tokenizer, spec, cfg, spec.tools_in_template), None


def _print(before: dict[str, Any] | None, after: dict[str, Any] | None, run_dir: Path) -> None:
    if before is None or after is None:
        print(f"dev evaluation skipped (eval.per_subtask=0)\nmodel -> {run_dir / 'model'}")
        return
    rows = []
    for name in before["subtasks"]:
        b, a = before["subtasks"][name]["accuracy"], after["subtasks"].get(name, {}).get("accuracy", 0.0)
        rows.append((name, f"{b:.2f}", f"{a:.2f}", f"{a - b:+.2f}"))
    mb, ma = before["overall"]["macro_accuracy"], after["overall"]["macro_accuracy"]
    rows.append(("macro", f"{mb:.2f}", f"{ma:.2f}", f"{ma - mb:+.2f}"))
    print(format_table(("dev accuracy", "before", "after", "change"), rows))
    print(f"model -> {run_dir / 'model'}")


@hydra.main(config_path=CONF_DIR, config_name="dpo", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
