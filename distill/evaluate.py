"""Per-sub-task accuracy of any sampler on a task set, through the verifier, with Wilson intervals.

Metric keys follow ``eval/<subtask>/<metric>``. BFCL categories are scored by BFCL's rules (the
verifier's BFCL mode), and the non-live summary is computed as BFCL computes it: the unweighted mean
of simple, multiple, parallel and parallel_multiple, where "simple" is itself the mean of the
python/java/javascript simple categories that were run.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from distill.records import EvalRecord, Reason, Sample, Task, Verdict
from distill.sampling.base import Sampler, SamplingParams
from distill.verify import VerifyConfig, label_samples
from distill.verify.sandbox import Sandbox

BFCL_NON_LIVE_AST = ("simple_python", "multiple", "parallel", "parallel_multiple")


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion (sensible at 0, 1 and small n)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def evaluate(sampler: Sampler, tasks: Sequence[Task], params: SamplingParams, model: str,
             verify: VerifyConfig | None = None, sandbox: Sandbox | None = None) -> list[EvalRecord]:
    """One sample per task (``params.n`` is forced to 1), judged; failed requests count as wrong."""
    params = SamplingParams(1, params.temperature, params.top_p, params.max_tokens, params.seed)
    by_id = {t.id: t for t in tasks}
    samples = {s.task_id: s for s in sampler.sample(tasks, params)}
    verdicts = {v.task_id: v for v in label_samples(by_id, samples.values(), verify, sandbox)}
    records = []
    for task in tasks:
        sample = samples.get(task.id) or Sample(task.id, 0, "none", model, error="no sample returned")
        verdict = verdicts.get(task.id)
        if verdict is None:
            verdict = Verdict(task.id, 0, Reason.NO_CALL if task.gold.expects_call else Reason.PARSE_ERROR,
                              f"request failed: {sample.error}")
        records.append(EvalRecord(task.id, task.subtask, model, sample, verdict))
    return records


def summarize(records: Iterable[EvalRecord], model: str) -> dict[str, Any]:
    """The ``summary.json`` structure (see `distill.recipes.eval`)."""
    records = list(records)
    per: dict[str, list[bool]] = {}
    for record in records:
        per.setdefault(record.subtask, []).append(record.verdict.correct)
    subtasks = {name: {"n": len(oks), "accuracy": round(sum(oks) / len(oks), 4),
                       "ci95": list(wilson(sum(oks), len(oks)))} for name, oks in sorted(per.items())}
    granular = [v["accuracy"] for k, v in subtasks.items() if not k.startswith("bfcl:")]
    summary: dict[str, Any] = {
        "model": model,
        "subtasks": {k: v for k, v in subtasks.items() if not k.startswith("bfcl:")},
        "reasons": dict(sorted(Counter(r.verdict.reason.value for r in records).items())),
        "reasons_by_subtask": {s: dict(Counter(r.verdict.reason.value for r in records if r.subtask == s))
                               for s in sorted(per)},
        "overall": {"macro_accuracy": round(sum(granular) / len(granular), 4) if granular else None,
                    "n": len(records)},
    }
    bfcl = {k.split(":", 1)[1]: v["accuracy"] for k, v in subtasks.items() if k.startswith("bfcl:")}
    if bfcl:
        summary["bfcl"] = {**bfcl, "non_live_summary": bfcl_non_live_summary(bfcl),
                           "detail": {k: v for k, v in subtasks.items() if k.startswith("bfcl:")}}
    return summary


def bfcl_non_live_summary(accuracy: dict[str, float]) -> float | None:
    """BFCL's non-live AST summary: mean of simple (averaged over its languages), multiple, parallel and
    parallel_multiple; None unless all four were run."""
    simple = [accuracy[k] for k in ("simple_python", "simple_java", "simple_javascript") if k in accuracy]
    parts = [sum(simple) / len(simple)] if simple else []
    parts += [accuracy[k] for k in ("multiple", "parallel", "parallel_multiple") if k in accuracy]
    return round(sum(parts) / 4, 4) if len(parts) == 4 else None


def flat_metrics(summary: dict[str, Any], prefix: str = "eval") -> dict[str, float]:
    """``eval/<subtask>/accuracy`` keys, plus ``eval/macro_accuracy``."""
    metrics = {f"{prefix}/{name}/accuracy": v["accuracy"] for name, v in summary["subtasks"].items()}
    if summary["overall"]["macro_accuracy"] is not None:
        metrics[f"{prefix}/macro_accuracy"] = summary["overall"]["macro_accuracy"]
    return metrics
