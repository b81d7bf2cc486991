"""Experiments: what an experiment config declares (`ExperimentSpec`) and its report: every arm and seed
evaluated on the same tasks, compared task by task (`distill.stats`), with the seed-to-seed spread.

The recipe (`distill.recipes.experiment`) runs the stages; this module reads their eval runs through
`distill.io` and writes the report.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill import io
from distill.records import EvalRecord
from distill.report import EvalRun, ReportInputs, build_report, comparison_table, seeds_table, to_html
from distill.reverify import judged_by, judged_elsewhere
from distill.stats import Comparison, Outcomes, compare
from distill.verify import verifier_fingerprint

log = logging.getLogger("distill")

ARM_KEYS = ("train", "tasks", "pairs", "dpo", "eval", "memory_from", "label")
STAGES = ("pairs", "dpo", "export", "eval")


@dataclass(frozen=True)
class ArmSpec:
    """One arm: what it trains on and how, or (``train: false``) a model evaluated as it is."""

    name: str
    train: bool = True
    tasks: tuple[str, ...] = ()
    """Overrides of the tasks run this arm trains on; empty: the experiment's own tasks run."""
    pairs: tuple[str, ...] = ()
    dpo: tuple[str, ...] = ()
    eval: tuple[str, ...] = ()
    memory_from: str = ""
    """An earlier arm whose pairs run is this arm's sub-task memory (``memory.pairs_run``): for its
    teacher's prompts when it trains, for its own prompts when it is evaluated as is."""
    label: str = ""
    """What the arm is, in words, for the report. (An eval-only arm with ``pairs`` makes a pairs run
    and uses it as its memory.)"""


@dataclass(frozen=True)
class ExperimentSpec:
    name: str
    question: str
    arms: tuple[ArmSpec, ...]
    seeds: tuple[int, ...] = (0,)
    tasks: tuple[str, ...] = ()
    """Overrides of the tasks run every arm is evaluated on."""
    common: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Overrides every arm shares, per stage (an arm's own overrides come after them and win);
    ``export`` overrides (e.g. ``[outtype=f32]``) make every student evaluation go through its GGUF
    export on llama.cpp."""
    compare: tuple[tuple[str, str], ...] = ()
    """(A, B) arm pairs: B is tested against A."""

    @classmethod
    def from_config(cls, node: Any) -> ExperimentSpec:
        """From the ``experiment`` config node (a plain dict).

        Raises:
            ValueError: naming the key, for an unknown key, a missing one or a comparison of an unknown arm.
        """
        if not isinstance(node, dict):
            raise ValueError("experiment: expected a mapping (conf/experiment/<name>.yaml)")
        unknown = set(node) - {"name", "question", "arms", "seeds", "tasks", "common", "compare"}
        if unknown:
            raise ValueError(f"experiment.{sorted(unknown)[0]}: unknown key")
        for key in ("name", "arms"):
            if not node.get(key):
                raise ValueError(f"experiment.{key}: required")
        arms = []
        for name, arm in node["arms"].items():
            if not isinstance(name, str):
                raise ValueError(f"experiment.arms: the arm name {name!r} is not a string (YAML reads off, on, yes "
                                 "and no as booleans): quote it or rename it")
            arm = arm or {}
            bad = set(arm) - set(ARM_KEYS)
            if bad:
                raise ValueError(f"experiment.arms.{name}.{sorted(bad)[0]}: unknown key "
                                 f"(expected {', '.join(ARM_KEYS)})")
            arms.append(ArmSpec(name, bool(arm.get("train", True)), *(tuple(arm.get(k) or ()) for k in
                                                                        ("tasks", "pairs", "dpo", "eval")),
                                str(arm.get("memory_from") or ""), str(arm.get("label", ""))))
        names = {a.name for a in arms}
        pairs = tuple(tuple(p) for p in node.get("compare") or ())
        for index, pair in enumerate(pairs):
            if len(pair) != 2 or not set(pair) <= names:
                raise ValueError(f"experiment.compare.{index}: {list(pair)} must name two arms of {sorted(names)}")
        common = node.get("common") or {}
        bad = set(common) - set(STAGES)
        if bad:
            raise ValueError(f"experiment.common.{sorted(bad)[0]}: unknown stage (expected {', '.join(STAGES)})")
        seeds = tuple(int(s) for s in node.get("seeds") or (0,))
        return cls(str(node["name"]), str(node.get("question", "")), tuple(arms), seeds, tuple(node.get("tasks") or ()),
                   {k: tuple(v or ()) for k, v in common.items()}, pairs)  # type: ignore[arg-type]


@dataclass
class ArmRun:
    """One evaluated (arm, seed): where its eval lives and what made it."""

    arm: str
    seed: int | None
    eval_dir: Path
    trained: bool
    pairs_dir: Path | None = None
    dpo_dir: Path | None = None
    export_dir: Path | None = None
    """Where the student's GGUF is, when it is evaluated on llama.cpp (``common.export`` overrides given)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Stage -> wall seconds in the invocation that finished this run (kept beside it in the archive)."""
    commands: dict[str, str] = field(default_factory=dict)
    """Stage -> the command that reruns it alone (``distill <stage> output_dir=... <overrides>``)."""

    @property
    def label(self) -> str:
        return self.arm if self.seed is None else f"{self.arm} s{self.seed}"


def outcomes_of(eval_dir: Path) -> Outcomes:
    """task id -> (sub-task, correct) of an eval run's results.jsonl."""
    return {r.task_id: (r.subtask, r.verdict.correct) for r in io.read_jsonl(eval_dir / "results.jsonl", EvalRecord)}


def comparisons(spec: ExperimentSpec, runs: Sequence[ArmRun]) -> list[Comparison]:
    """The paired tests the experiment asks for, each arm's seeds kept apart and paired task by task."""
    by_arm: dict[str, list[Outcomes]] = {}
    for run in runs:
        by_arm.setdefault(run.arm, []).append(outcomes_of(run.eval_dir))
    return [compare(by_arm[a], by_arm[b], a, b) for a, b in spec.compare if a in by_arm and b in by_arm]


def write_report(spec: ExperimentSpec, runs: Sequence[ArmRun], out: Path, archive: Path | None,
                 command: str = "") -> Path:
    """report.md / report.html / PNGs into `out` (and the archive, when given, with commands.sh); returns
    report.md's path. Comparisons of an arm not run yet are left out (the design table says so)."""
    evals = [EvalRun(r.label, io.read_json(r.eval_dir / "summary.json"), "trained" if r.trained else "base")
             for r in runs]
    tests = comparisons(spec, runs)
    done = {r.arm for r in runs}
    pending = [f"{b} vs {a}" for a, b in spec.compare if not {a, b} <= done]
    findings = ["## Findings", "", *(f"- {c.finding()}" for c in tests),
                *(f"- {p}: not run yet (resume with the command below)" for p in pending)]
    inputs = ReportInputs(evals=evals, pair_stats=_pair_stats(runs), curves=_curves(runs),
                          no_pairs="No trained arm has run yet.", no_curves="No trained arm has run yet.")
    body = build_report(inputs, out, findings=findings)
    parts = [f"# Experiment `{spec.name}`", "", spec.question, "", *design_lines(spec, runs), "",
             body.split("\n", 1)[1], "## Paired comparisons", "",
             "Exact McNemar tests on the tasks both arms answered (per sub-task, Holm-adjusted across them, and "
             "pooled), and a paired bootstrap 95% interval of the macro difference (10,000 resamples of tasks "
             "within each sub-task). Seeds of an arm are paired task by task with the other arm's seeds.", ""]
    for test in tests:
        parts += [f"### {test.b} vs {test.a}", "", f"{test.finding()}.", "", *comparison_table(test), ""]
    seeded = [(r.arm, r.seed, _macro(e)) for r, e in zip(runs, evals, strict=True) if r.seed is not None]
    if seeded:
        parts += ["## Seeds", "", "Macro accuracy of each trained arm per seed (seed = pair sampling and training).",
                  "", *seeds_table(seeded), ""]
    parts += ["## Provenance", "", f"Command: `{command}` (rerun it to resume: finished arms are not redone).", "",
              *provenance_lines(runs)]
    markdown = "\n".join(parts) + "\n"
    with io.atomic_open(out / "report.md") as handle:
        handle.write(markdown)
    with io.atomic_open(out / "report.html") as handle:
        handle.write(to_html(markdown, f"experiment {spec.name}"))
    if archive is not None and archive.resolve() != out.resolve():
        archive.mkdir(parents=True, exist_ok=True)
        for file in [out / "report.md", out / "report.html", *out.glob("*.png")]:
            shutil.copyfile(file, archive / file.name)
        with io.atomic_open(archive / "commands.sh") as handle:
            handle.write(commands_script(spec.name, command, archive))
        return archive / "report.md"
    return out / "report.md"


def commands_script(name: str, command: str, archive: Path) -> str:
    """The archive's commands.sh: the experiment's command, after importing the answers already paid for
    that the archive keeps (``cache_*.jsonl``, written by `distill cache export`), so a fresh clone does
    not ask a model again for what an interrupted arm already had."""
    imports = [f"# the answers already paid for (response cache rows, keyed by model file)\n"
               f".venv/bin/distill cache import {path.as_posix()}\n" for path in sorted(archive.glob("cache_*.jsonl"))]
    return (f"#!/usr/bin/env bash\n# {name}: run from the repository root after `make models`; rerunning resumes.\n"
            f"set -euo pipefail\n{''.join(imports)}.venv/bin/{command}\n")


def design_lines(spec: ExperimentSpec, runs: Sequence[ArmRun]) -> list[str]:
    lines = ["| arm | trains | what it is | runs |", "|---|---|---|---|"]
    for arm in spec.arms:
        count = sum(r.arm == arm.name for r in runs)
        how = " ".join((*arm.tasks, *arm.pairs, *arm.dpo)) or ("the experiment's tasks" if arm.train else "–")
        trains = "yes" if arm.train else "no (evaluated as is)"
        lines.append(f"| {arm.name} | {trains} | {arm.label or how} | {count} |")
    common = "; ".join(f"{stage}: `{' '.join(v)}`" for stage, v in spec.common.items() if v)
    lines += ["", f"Evaluation tasks: `distill tasks {' '.join(spec.tasks)}`, seeds {list(spec.seeds)}; "
                  f"shared overrides: {common or 'none'}."]
    return lines


def provenance_lines(runs: Sequence[ArmRun]) -> list[str]:
    lines = ["| run | commit | verdicts judged at | eval wall time | stage times (the invocation that finished it) |",
             "|---|---|---|---|---|"]
    stale = []
    for run in runs:
        manifest = io.read_manifest(run.eval_dir)
        judged_at = judged_by(manifest)[1]
        if judged_elsewhere(manifest):
            stale.append(run)
        judged = f"{judged_at or '?'}{' (re-judged)' if manifest.get('rejudged') else ''}"
        stages = ", ".join(f"{k} {v:.0f} s" for k, v in run.seconds.items()) or "not recorded (archived earlier)"
        lines.append(f"| {run.label} | {manifest.get('git_sha') or '?'} | {judged} | "
                     f"{manifest.get('duration_s', 0):.0f} s | {stages} |")
    if stale:
        log.warning("%d run(s) hold verdicts of another verifier than this code's: %s", len(stale),
                    ", ".join(r.label for r in stale))
        lines += ["", f"**Judged by another verifier than this commit's ({verifier_fingerprint()})**: "
                      f"{', '.join(r.label for r in stale)}. Re-judge their stored answers (no model runs) and "
                      "rewrite this report: `distill reverify "
                      f"{' '.join(str(r.eval_dir) for r in stale)} --write`."]
    lines += ["", "Each run alone, on a fresh clone after `make models`: its commands in order (`make experiment` "
                  "runs them all, skipping what is done).", ""]
    for run in runs:
        lines += [f"- {run.label}:", "", "```bash", *run.commands.values(), "```", ""]
    return lines


def _macro(run: EvalRun) -> float | None:
    return run.summary["overall"]["macro_accuracy"]


def _found(run: ArmRun, stage_dir: Path | None, file: str) -> Path | None:
    """A file of an arm's pairs or dpo run: its archived copy beside the eval, else the run folder."""
    if stage_dir is None:
        return None
    for path in (run.eval_dir / f"{stage_dir.parent.name}_{file}", stage_dir / file):
        if path.exists():
            return path
    return None


def _pair_stats(runs: Sequence[ArmRun]) -> dict[str, Any] | None:
    for run in runs:
        path = _found(run, run.pairs_dir, "stats.json")
        if path is not None:
            return io.read_json(path)
    return None


def _curves(runs: Sequence[ArmRun]) -> list[tuple[str, list[dict[str, Any]]]]:
    import json

    curves = []
    for run in runs:
        path = _found(run, run.dpo_dir, "metrics.jsonl")
        if path is not None:
            with open(path, encoding="utf-8") as handle:
                curves.append((run.label, [json.loads(line) for line in handle]))
    return curves
