"""Per-sub-task accuracy of any sampler on a task set, through the verifier, with Wilson intervals.

Metric keys follow ``eval/<subtask>/<metric>``. BFCL categories are scored by BFCL's rules (the
verifier's BFCL mode), and the leaderboard's non-live and live columns are computed as bfcl-eval's
``eval_runner_helper`` computes them (`bfcl_leaderboard`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from distill.records import EvalRecord, Reason, Sample, Task, Verdict, bfcl_category
from distill.sampling.base import Sampler, SamplingParams
from distill.stats import wilson
from distill.tasks.bfcl import LIVE_AST, NON_LIVE, NON_LIVE_AST, SIMPLE
from distill.verify import VerifyConfig, label_samples
from distill.verify.sandbox import Sandbox

NON_LIVE_COLUMNS = ("Non-Live Overall Acc", "AST Summary", "Simple AST", "Python Simple AST", "Java Simple AST",
                    "JavaScript Simple AST", "Multiple AST", "Parallel AST", "Parallel Multiple AST",
                    "Irrelevance Detection")
LIVE_COLUMNS = ("Live Overall Acc", "AST Summary", "Python Simple AST", "Python Multiple AST", "Python Parallel AST",
                "Python Parallel Multiple AST", "Irrelevance Detection", "Relevance Detection")
"""The leaderboard's column headers (bfcl_eval/constants/column_headers.py), less Rank and Model."""


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
    categories = {k: c for k in subtasks if (c := bfcl_category(k)) is not None}
    granular = [v["accuracy"] for k, v in subtasks.items() if k not in categories]
    summary: dict[str, Any] = {
        "model": model,
        "subtasks": {k: v for k, v in subtasks.items() if k not in categories},
        "reasons": dict(sorted(Counter(r.verdict.reason.value for r in records).items())),
        "reasons_by_subtask": {s: dict(Counter(r.verdict.reason.value for r in records if r.subtask == s))
                               for s in sorted(per)},
        "overall": {"macro_accuracy": round(sum(granular) / len(granular), 4) if granular else None,
                    "n": len(records)},
    }
    if categories:
        counts = {c: (sum(per[k]), len(per[k])) for k, c in categories.items()}
        summary["bfcl"] = {**{c: subtasks[k]["accuracy"] for k, c in categories.items()},
                           "leaderboard": bfcl_leaderboard(counts), "detail": {k: subtasks[k] for k in categories}}
    return summary


def bfcl_leaderboard(scores: dict[str, tuple[int, int]]) -> dict[str, dict[str, float | None]]:
    """The leaderboard's non-live and live columns from (correct, n) per category, as bfcl-eval computes
    them: a category not run counts as 0 and makes the groups it belongs to ``None`` (the leaderboard's
    N/A), except the overall accuracies, which are shown with those zeros. Simple AST and the non-live
    summaries are unweighted means; the live summaries are weighted by the number of questions."""
    def category(name: str) -> tuple[float, int, bool]:
        correct, n = scores.get(name, (0, 0))
        return (correct / n if n else 0.0), n, name not in scores

    def unweighted(parts: list[tuple[float, int, bool]], na: bool = True) -> tuple[float, int, bool]:
        return sum(p[0] for p in parts) / len(parts), sum(p[1] for p in parts), na and any(p[2] for p in parts)

    def weighted(parts: list[tuple[float, int, bool]], na: bool = True) -> tuple[float, int, bool]:
        total = sum(p[1] for p in parts)
        return (sum(p[0] * p[1] for p in parts) / total if total else 0.0), total, na and any(p[2] for p in parts)

    def shown(part: tuple[float, int, bool]) -> float | None:
        return None if part[2] else round(part[0], 4)

    simple = unweighted([category(c) for c in SIMPLE])
    ast = [simple, *(category(c) for c in NON_LIVE_AST if c not in SIMPLE)]
    live_ast = [category(c) for c in LIVE_AST]
    non_live = [unweighted(ast, na=False), unweighted(ast), simple, *(category(c) for c in NON_LIVE)]
    live = [weighted(live_ast, na=False), weighted(live_ast), *live_ast, category("live_irrelevance"),
            category("live_relevance")]
    return {"non_live": dict(zip(NON_LIVE_COLUMNS, map(shown, non_live), strict=True)),
            "live": dict(zip(LIVE_COLUMNS, map(shown, live), strict=True))}


def leaderboard_tables(categories: Iterable[str]) -> list[str]:
    """The leaderboard tables (``non_live``, ``live``) that at least one of `categories` belongs to."""
    categories = list(categories)
    return [t for t in ("non_live", "live") if any(c.startswith("live_") == (t == "live") for c in categories)]


def leaderboard_rows(summary: dict[str, Any]) -> list[tuple[str, ...]]:
    """The leaderboard's tables that had a category run, as printable rows (header, values) per table;
    N/A where BFCL shows it."""
    board = summary.get("bfcl", {}).get("leaderboard")
    if not board:
        return []
    rows: list[tuple[str, ...]] = []
    for table in leaderboard_tables(set(summary["bfcl"]) - {"leaderboard", "detail"}):
        rows.append(tuple(board[table]))
        rows.append(tuple("N/A" if v is None else f"{100 * v:.2f}" for v in board[table].values()))
    return rows


def flat_metrics(summary: dict[str, Any], prefix: str = "eval") -> dict[str, float]:
    """``eval/<subtask>/accuracy`` keys, plus ``eval/macro_accuracy``."""
    metrics = {f"{prefix}/{name}/accuracy": v["accuracy"] for name, v in summary["subtasks"].items()}
    if summary["overall"]["macro_accuracy"] is not None:
        metrics[f"{prefix}/macro_accuracy"] = summary["overall"]["macro_accuracy"]
    return metrics
