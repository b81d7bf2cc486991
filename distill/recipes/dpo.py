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
from distill.pairs import on_policy_pairs, to_datasets
from distill.recipes import CONF_DIR, RunContext, build, launch, recipe_run
from distill.records import Task, first_per_subtask
from distill.sampling.base import SamplingParams
from distill.sampling.hf import HFSampler
from distill.toolsets import Executor, check_tools, open_executor
from distill.train import (
    answers_in_format,
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
    recipe = DPORecipe(cfg)  # every config and input checked before a model is loaded
    with recipe_run(cfg) as ctx, open_executor(recipe.toolset, recipe.verify) as sandbox:
        recipe.setup(ctx, sandbox)
        recipe.warm_start()
        for number in range(recipe.rounds):
            recipe.train_round(number)
            recipe.evaluate(f"after-round-{number}", number)
        recipe.save()
    _print(recipe.before, recipe.after, ctx.dir)
    return {"before": recipe.before, "after": recipe.after}


class DPORecipe:
    """`make dpo` in steps, each readable alone: setup (the student, its view of the pairs, the dev
    evaluation before training), warm_start (SFT on the chosen answers), train_round (round 0 on the pairs
    run, later rounds on the student's own failures), evaluate (dev accuracy) and save."""

    def __init__(self, cfg: DictConfig):
        self.cfg = cfg
        self.spec: StudentSpec = build(cfg.student)
        self.verify: VerifyConfig = build(cfg.verify)
        self.pairs_dir = Path(cfg.pairs_run)
        self.pairs_manifest = io.read_manifest(self.pairs_dir)
        self.dpo_args, self.sft_args, self.peft = training_arguments(cfg.dpo)
        _clear_stale_checkpoints(Path(cfg.output_dir), cfg)
        self.datasets = {name: io.load_dataset(self.pairs_dir / name) for name in ("dataset", "rendered")}
        self.tasks = io.read_tasks(self.pairs_dir)  # never regenerated from (or instantiated out of) the manifest
        self.toolset = build(cfg.tools)
        check_tools(self.tasks, self.toolset, f"pairs_run={self.pairs_dir}")
        self.weights = OmegaConf.to_container(cfg.subtask_weights) if cfg.subtask_weights else None
        self.max_pairs = cpu_or_gpu(cfg.max_pairs, cfg.cpu_budget.max_pairs, None)  # per round
        self.rounds = 1 if cfg.sft_only else cfg.rounds
        self.warm_starts = bool(cfg.sft_warmup or cfg.sft_only)
        self.method = "SFT" if cfg.sft_only else "SFT->DPO" if cfg.sft_warmup else "DPO"
        self.history: list[dict[str, Any]] = []  # metrics.jsonl: one entry per evaluation and logged step

    def setup(self, ctx: RunContext, sandbox: Executor) -> None:
        """Load the student, pick the pairs view its template reads, evaluate it on dev, and select the
        round-0 training pairs."""
        cfg = self.cfg
        self.ctx, self.sandbox = ctx, sandbox
        self.seconds: dict[str, float] = ctx.extra.setdefault("phase_seconds", {})
        ctx.extra["tasks"] = {**(self.pairs_manifest.get("tasks") or {}), "pairs_run": str(self.pairs_dir)}
        self.model, self.tokenizer = load_student(self.spec, "float32")
        self.peft = lora_on_top_layers(self.peft, self.model.config.num_hidden_layers, cfg.dpo.top_layers)
        self.native = uses_native_tools(self.tokenizer, self.spec.tools_in_template)
        self.dataset = answers_in_format(self.datasets["dataset" if self.native else "rendered"],
                                         self.datasets["dataset"], self.spec.call_format)
        check_prefix(self.tokenizer, [self.dataset[i] for i in range(min(16, len(self.dataset)))], self.native)
        self.dev = first_per_subtask([t for t in self.tasks if t.split == "dev"], cfg.eval.per_subtask)
        self.before = self.after = self.evaluate("before", -1)
        longest = cpu_or_gpu(cfg.max_pair_tokens, cfg.cpu_budget.max_pair_tokens, None)
        self.budget = token_budget(self.tokenizer, longest, self.native)
        selected = stratified(self.dataset, self.max_pairs, cfg.seed, self.budget, self.weights)
        self.train_set = self._grouped(selected, self.dpo_args, cfg.seed)
        self.used = set(selected["task_id"])  # tasks trained on: on-policy rounds sample others

    def warm_start(self) -> None:
        """SFT on one chosen answer per task (``sft_warmup`` or ``sft_only``); a no-op otherwise."""
        cfg = self.cfg
        if not self.warm_starts:
            return
        count = cpu_or_gpu(cfg.sft_examples, cfg.cpu_budget.sft_examples, None)
        answers = stratified(one_per_task(self.dataset), count, cfg.seed, self.budget, self.weights)
        with _phase(f"SFT warm start on {len(answers)} answers", self.seconds, "sft"):
            self.model, logs = train_sft(self.model, self.tokenizer, self._grouped(answers, self.sft_args, cfg.seed),
                                         self.sft_args, self.peft, self.ctx.dir / "checkpoints" / "sft")
        self.history += [{"round": 0, "phase": "sft", **h} for h in logs]
        self.ctx.counts["sft_examples"] = len(answers)
        self.used |= set(answers["task_id"])

    def train_round(self, number: int) -> None:
        """DPO on round 0's pairs, or, for a later round, on pairs from the student's failures on fresh
        train tasks (none when it failed none). ``sft_only`` trains no DPO."""
        cfg = self.cfg
        if number > 0:
            self.train_set = self._on_policy_round(number)
            if not len(self.train_set):
                log.warning("round %d: no on-policy pair (the student failed none of its fresh tasks, or none "
                            "was left); nothing to train on", number)
                return
        if cfg.sft_only:
            return
        with _phase(f"round {number}: DPO on {len(self.train_set)} pairs", self.seconds, f"dpo-round-{number}"):
            self.model, logs = train_dpo(self.model, self.tokenizer, self.train_set,
                                         {**self.dpo_args, "seed": self.dpo_args["seed"] + number},
                                         self.peft if number == 0 else None,
                                         self.ctx.dir / "checkpoints" / f"round-{number}")
        self.history += [{"round": number, "phase": "dpo", **h} for h in logs]

    def evaluate(self, label: str, number: int) -> dict[str, Any] | None:
        """Dev accuracy now (None when ``eval.per_subtask=0``), kept as `after` once a round has run: each
        answer with its verdict to dev/<label>.jsonl (as make eval's results.jsonl), the summary to
        metrics.jsonl, the time it took to ``phase_seconds["eval-<label>"]``."""
        summary = None
        if self.dev:
            self.model.eval()
            params = SamplingParams(n=1, temperature=0.0, max_tokens=self.cfg.eval.max_tokens, seed=self.cfg.seed)
            results = self.ctx.dir / "dev" / f"{label}.jsonl"
            with _phase(f"dev evaluation ({label})", self.seconds, f"eval-{label}"), self._hf_sampler() as sampler:
                records = evaluate(sampler, self.dev, params, self.spec.name, self.verify, self.sandbox)
            io.write_jsonl(results, records)
            summary = summarize(records, self.spec.name)
            log.info("dev macro accuracy %s (%d tasks) -> %s", summary["overall"]["macro_accuracy"], len(records),
                     results)
        self.history.append({"round": number, "phase": "before" if number < 0 else "after", **_flat(summary)})
        io.write_jsonl(self.ctx.dir / "metrics.jsonl", self.history)
        if number >= 0:
            self.after = summary
        return summary

    def save(self) -> None:
        """The model (merged when it carries an SFT warm start), metrics, curve and manifest facts."""
        cfg, ctx, spec = self.cfg, self.ctx, self.spec
        # The SFT warm start is merged into the weights, so an adapter alone would lose it: save it merged.
        save_student(self.model, self.tokenizer, ctx.dir / "model",
                     merge=cfg.merge or bool(self.warm_starts and self.peft))
        io.write_jsonl(ctx.dir / "metrics.jsonl", self.history)
        plot_curve(self.history, ctx.dir / "train_curve.png")
        io.write_json(ctx.dir / "dev_accuracy.json", {"before": self.before, "after": self.after})
        ctx.counts.update(pairs=len(self.train_set), dev_tasks=len(self.dev), rounds=cfg.rounds)
        mixture = (self.pairs_manifest.get("tasks") or {}).get("tasks") or ""
        ctx.extra.update(student=spec.name, pairs_run=str(self.pairs_dir), native_tools=self.native,
                         call_format=spec.call_format,
                         teacher=self.pairs_manifest.get("teacher"), method=self.method,
                         arm=f"{mixture} {self.method}".strip())

    def _on_policy_round(self, number: int) -> Any:
        """A later round's training set: the student sampled on fresh train tasks (vLLM when installed),
        its wrong answers as rejected, stratified over the sub-tasks it failed."""
        cfg = self.cfg
        fresh_tasks = _fresh_tasks(self.tasks, self.used, cfg.on_policy.tasks_per_round, cfg.seed + number,
                                   self.weights)
        self.used |= {t.id for t in fresh_tasks}
        if not fresh_tasks:
            log.warning("round %d: every train task was trained on already; no fresh task to sample", number)
        with _phase(f"round {number}: sampling the student on {len(fresh_tasks)} fresh tasks", self.seconds,
                    f"sample-round-{number}"):
            params: SamplingParams = build(cfg.on_policy.sampling)
            with self._on_policy_sampler() as sampler:
                samples = list(sampler.sample(fresh_tasks, params))
            pairs = on_policy_pairs(fresh_tasks, samples, self.verify, self.sandbox, cfg.seed)
            log.info("round %d: %d on-policy pairs from %d tasks", number, len(pairs), len(fresh_tasks))
            conversational, rendered = to_datasets(pairs)
            fresh = answers_in_format(conversational if self.native else rendered, conversational,
                                      self.spec.call_format)
        failed = set(fresh["subtask"])  # sub-tasks the student got right yield no pairs
        fresh = stratified(fresh, self.max_pairs, cfg.seed + number, self.budget,
                           {k: v for k, v in (self.weights or {}).items() if k in failed})
        return self._grouped(fresh, self.dpo_args, cfg.seed + number)

    def _grouped(self, dataset: Any, args: dict[str, Any], seed: int) -> Any:
        lengths = [pair_length(self.tokenizer, row, self.native) for row in dataset]
        return length_grouped(dataset, lengths, args["per_device_train_batch_size"], seed)

    def _hf_sampler(self) -> HFSampler:
        """HF generation on the student in memory (closing it leaves the model with the recipe)."""
        return HFSampler.from_model(self.model, self.tokenizer, self.spec.name, batch_size=self.cfg.eval.batch_size,
                                    tools_in_template=self.spec.tools_in_template, progress=True)

    @contextlib.contextmanager
    def _on_policy_sampler(self) -> Iterator[Any]:
        """The sampler of an on-policy round: vLLM serving a merged copy of the student saved for the
        round, or HF generation on the model in memory. Closed on exit, since the next step trains: a vLLM
        engine's memory and the student copy it served are released."""
        backend = self.cfg.on_policy.backend
        if backend == "auto":
            backend = "vllm" if importlib.util.find_spec("vllm") is not None else "hf"
        if backend != "vllm":
            with self._hf_sampler() as sampler:
                yield sampler
            return
        import tempfile

        from distill.sampling.vllm import VLLMSampler

        folder = Path(tempfile.mkdtemp(prefix="distill-student-"))
        try:
            save_student(self.model, self.tokenizer, folder, merge=True)
            with VLLMSampler(str(folder), dtype="float32", enforce_eager=True, name=self.spec.name) as sampler:
                yield sampler
        finally:
            shutil.rmtree(folder, ignore_errors=True)


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


def _plain(node: DictConfig) -> dict[str, Any]:
    values = OmegaConf.to_container(node, resolve=True)
    assert isinstance(values, dict)
    values.pop("_target_", None)
    return values


def _flat(summary: dict[str, Any] | None) -> dict[str, float]:
    return flat_metrics(summary) if summary else {}


def _fresh_tasks(tasks: list[Task], used: set[str], size: int, seed: int,
                 weights: dict[str, float] | None) -> list[Task]:
    """A round's train tasks: `size` of those not trained on yet, spread over the sub-tasks by weight."""
    train = [t for t in tasks if t.split == "train" and t.id not in used]
    return [train[i] for i in spread([t.subtask for t in train], size, seed, weights)]


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
