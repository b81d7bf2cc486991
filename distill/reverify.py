"""Re-judge the answers an eval run stored with the verifier as it is now: ``distill reverify RUN...``.

An eval run keeps every answer beside its verdict (``results.jsonl``). When the verifier changes (a
parser that reads more of what models write, a new check), finished runs keep the old code's verdicts,
and `make experiment` cannot tell: it reuses a run whose config is unchanged, and the verifier is code,
not config. Every eval manifest therefore records the verifier's fingerprint (`verifier_fingerprint`),
reports name the runs judged by another one, and this module re-judges a run's stored answers against
the run's own tasks, in the sandbox as eval does: no model runs, nothing is sampled. With ``--write`` it
replaces ``results.jsonl`` and ``summary.json`` and appends to the manifest's ``rejudged`` list when, at
which commit and with which verifier, and how many verdicts changed; the commit that produced the
answers stays.

Pairs runs are not re-judged here: a pair depends on every teacher sample's verdict, so a pairs run
judged by an older verifier is remade with `make pairs` (its teacher answers come from the response
cache) and its pairs compared.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from distill import io
from distill.console import format_table
from distill.evaluate import summarize
from distill.memory import MemoryConfig
from distill.records import EvalRecord, Task
from distill.verify import label_samples, verifier_fingerprint

log = logging.getLogger("distill")
RESULTS, SUMMARY = "results.jsonl", "summary.json"


@dataclass(frozen=True)
class Rejudged:
    """One eval run's answers with the verdicts of the current verifier."""

    run: Path
    records: list[EvalRecord]
    """In the run's order, each with its sample unchanged and its verdict new."""
    before: list[EvalRecord]
    summary: dict[str, Any]
    """The run's summary.json with every figure recomputed from the new verdicts."""
    notes: list[str]
    """What a reader of the new verdicts should know (e.g. online memory)."""

    @property
    def changed(self) -> int:
        return sum(map(_differs, self.before, self.records))

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(sub-task, n, right before, right now, verdicts changed) per sub-task, in the run's order."""
        table: dict[str, list[int]] = {}
        for old, new in zip(self.before, self.records, strict=True):
            row = table.setdefault(old.subtask, [0, 0, 0, 0])
            row[0] += 1
            row[1] += old.verdict.correct
            row[2] += new.verdict.correct
            row[3] += _differs(old, new)
        return [(name, *row) for name, row in table.items()]  # type: ignore[misc]


def _differs(old: EvalRecord, new: EvalRecord) -> bool:
    """Whether the verdict changed: its reason, or the calls it read."""
    return old.verdict.reason != new.verdict.reason or old.verdict.calls != new.verdict.calls


def rejudge(run_dir: Path, tasks_run: Path | None = None) -> Rejudged:
    """Re-judge the answers of the finished eval run in `run_dir` (see module doc).

    Raises:
        FileNotFoundError / io.RunNotFinished: when `run_dir` holds no finished run, or its tasks run
            (or `tasks_run`) is not there.
        ValueError: when the run is not an eval run, or answers tasks its tasks run does not hold.
    """
    from distill.recipes import build
    from distill.recipes.experiment import upgraded_config
    from distill.toolsets import open_executor

    manifest = io.read_manifest(run_dir)
    if manifest.get("recipe") != "eval":
        raise ValueError(f"{run_dir}: a {manifest.get('recipe')!r} run; only eval runs store answers to re-judge")
    cfg = OmegaConf.create(upgraded_config(manifest["config"]))  # an older run lacks keys added since
    if tasks_run is not None:
        cfg.tasks_run = str(tasks_run)
    before = list(io.read_jsonl(run_dir / RESULTS, EvalRecord))
    tasks = _tasks(cfg, run_dir)
    unknown = sorted({r.task_id for r in before} - set(tasks))
    if unknown:
        raise ValueError(f"{run_dir}: {len(unknown)} answered tasks are not in tasks_run={cfg.tasks_run} "
                         f"(e.g. {unknown[0]}): give the tasks run it was evaluated on with --tasks-run")
    verify = build(cfg.verify)
    answered = [r.sample for r in before if r.sample.error is None]
    with open_executor(build(cfg.tools), verify) as sandbox:
        verdicts = {v.task_id: v for v in label_samples(tasks, answered, verify, sandbox, progress=True)}
    # A failed request has no answer to judge: its verdict ("request failed") stays.
    records = [replace(r, verdict=verdicts.get(r.task_id, r.verdict)) for r in before]
    old = io.read_json(run_dir / SUMMARY)
    summary = {**old, **summarize(records, old.get("model") or before[0].model)}
    memory: MemoryConfig = build(cfg.memory)
    notes = []
    if memory.enabled and memory.online:
        notes.append("online memory: each answer's prompt held routines induced from earlier verdicts, so a "
                     "rerun with this verifier could have answered differently; these are this verifier's "
                     "verdicts on the answers given")
    return Rejudged(run_dir, records, before, summary, notes)


def _tasks(cfg: Any, run_dir: Path) -> dict[str, Task]:
    from distill.recipes import load_tasks
    from distill.recipes.eval import bfcl_tasks

    try:
        every, _ = load_tasks(cfg)
    except (FileNotFoundError, io.RunNotFinished) as exc:
        raise FileNotFoundError(f"{run_dir}: its tasks run is not here ({exc}); make it with the tasks "
                                "command listed with the run (an experiment's report, Provenance), or "
                                "give another with --tasks-run") from exc
    return {t.id: t for t in [*every, *bfcl_tasks(cfg)]}


def write(result: Rejudged) -> None:
    """Replace the run's results.jsonl and summary.json and note the re-judging in its manifest."""
    io.write_jsonl(result.run / RESULTS, result.records)
    io.write_json(result.run / SUMMARY, result.summary)
    manifest = io.read_manifest(result.run)
    correct = Counter(r.verdict.correct for r in result.records)
    manifest["rejudged"] = [*_rejudgings(manifest), {
        "git_sha": io.git_sha(), "verifier": verifier_fingerprint(), "at": io.now_iso(), "changed": result.changed,
        "correct_before": sum(r.verdict.correct for r in result.before), "correct": correct[True],
        "notes": result.notes}]
    manifest.setdefault("counts", {})["correct"] = correct[True]
    io.write_manifest(result.run, manifest)


def judged_elsewhere(manifest: dict[str, Any]) -> bool:
    """Whether an eval run's verdicts come from another verifier than this code's."""
    return judged_by(manifest)[0] != verifier_fingerprint()


def judged_by(manifest: dict[str, Any]) -> tuple[str | None, str | None]:
    """(verifier fingerprint, commit) of the verdicts an eval run holds now: its last re-judging's, if any."""
    history = _rejudgings(manifest)
    if history:
        return history[-1].get("verifier"), history[-1].get("git_sha")
    return manifest.get("verifier"), manifest.get("git_sha")


def _rejudgings(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every re-judging of a run, oldest first (the first ones were written as a single mapping)."""
    history = manifest.get("rejudged") or []
    return [history] if isinstance(history, dict) else list(history)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="distill reverify", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="eval run folders (e.g. results/<experiment>/runs/*)")
    parser.add_argument("--write", action="store_true", help="replace the verdicts (default: only show changes)")
    parser.add_argument("--tasks-run", type=Path, help="the tasks run they answered, if not the one recorded")
    args = parser.parse_args(argv)
    now, failed = verifier_fingerprint(), 0
    for run_dir in args.runs:
        try:
            result = rejudge(run_dir, args.tasks_run)
        except (FileNotFoundError, io.RunNotFinished, ValueError) as exc:
            print(f"distill reverify: {exc}", file=sys.stderr)
            failed += 1
            continue
        rows = result.rows()
        total = ("all", *(sum(r[i] for r in rows) for i in range(1, 5)))
        print(f"{run_dir} (verifier {now}):")
        print(format_table(("subtask", "n", "right before", "right now", "verdicts changed"), [*rows, total]))
        for note in result.notes:
            print(f"note: {note}")
        if args.write:
            write(result)
            print(f"written: {run_dir / RESULTS}, {SUMMARY}, manifest (rejudged)")
    if not args.write:
        print("nothing written (--write replaces the verdicts)")
    return 1 if failed else 0
