"""Chosen/rejected DPO pairs per sub-task, from verified teacher samples, the student's own mistakes
and targeted corruptions of the chosen answer.

Chosen: a verified-correct teacher sample, preferring the answer most correct samples agree on; when
the teacher got none right, the gold rendering (if allowed; counted separately). Rejected, each tagged
with its source and the verifier's reason: the teacher's incorrect samples, the student's incorrect
samples (on-policy negatives), and corruptions of the chosen answer, one generator per failure mode
(`distill.corruptions`). A corruption is only used once the verifier has confirmed it is wrong.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.formatting import calls_of, render_conversation, render_message
from distill.records import SPLITS, Pair, Reason, Sample, Task, Verdict, assistant_message
from distill.sampling.base import check_range
from distill.verify import VerifyConfig, judge_samples, label_samples
from distill.verify.sandbox import Sandbox
from distill.verify.values import normalize_string

SOURCES = ("teacher", "student", "corruption")


@dataclass(frozen=True)
class PairConfig:
    """``pairs:`` in ``conf/pairs.yaml``."""

    pairs_per_task: int = 3
    """At most this many pairs per task."""
    quotas: dict[str, int] = field(default_factory=lambda: {"teacher": 2, "student": 2, "corruption": 2})
    """At most this many rejected answers per source and task."""
    allow_gold_chosen: bool = True
    """When no teacher sample is correct, use the gold rendering as chosen."""
    splits: tuple[str, ...] = ("train",)
    """Task splits that become pairs."""

    def __post_init__(self) -> None:
        unknown = set(self.quotas) - set(SOURCES)
        if unknown:
            raise ValueError(f"pairs.quotas: unknown sources {sorted(unknown)}; known: {', '.join(SOURCES)}")
        bad = [s for s in self.splits if s not in SPLITS]
        if bad or not self.splits:
            raise ValueError(f"pairs.splits={list(self.splits)!r}: each must be one of {', '.join(SPLITS)}")
        check_range("pairs.pairs_per_task", self.pairs_per_task, low=1, integer=True)
        for source, quota in self.quotas.items():
            check_range(f"pairs.quotas.{source}", quota, low=0, integer=True)


def answer_message(sample: Sample, verdict: Verdict) -> dict[str, Any]:
    """The assistant message a sample amounts to: its parsed calls, or its text."""
    if verdict.calls and (sample.tool_calls or verdict.reason is not Reason.PARSE_ERROR):
        return assistant_message(tuple(verdict.calls))
    return assistant_message(text=sample.text or "")


def gold_message(task: Task) -> dict[str, Any]:
    """The gold answer as an assistant message (calls, or a sentence stating the facts, or a refusal)."""
    if task.gold.calls:
        return assistant_message(task.gold.calls)
    if task.gold.facts:
        stated = "; ".join(f"{f.name.split('.')[-1].replace('_', ' ')}: {f.value}" for f in task.gold.facts)
        return assistant_message(text=f"Here is what I found. {stated}.")
    return assistant_message(text="I can't do that with the functions available. Could you tell me more?")


def answer_key(message: dict[str, Any]) -> str:
    """Identity of an answer after normalization: calls with normalized values (order-free), or text."""
    calls = calls_of(message)
    if calls:
        return json.dumps(sorted(json.dumps([c.name, _normalized(c.arguments)], sort_keys=True) for c in calls))
    return "text:" + normalize_string(message.get("content") or "")


def _normalized(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_string(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) >= 2**53:
        return value  # exact: float() would round it (or overflow, past 1e308)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    return value


def pick_chosen(task: Task, judged: Sequence[tuple[Sample, Verdict]],
                allow_gold: bool) -> tuple[dict[str, Any], str] | None:
    """(chosen message, ``teacher`` | ``gold``), or None when the task gets no pairs."""
    correct = [answer_message(s, v) for s, v in judged if v.correct]
    if correct:
        votes = Counter(answer_key(m) for m in correct)
        best = max(votes, key=lambda k: (votes[k], -[answer_key(m) for m in correct].index(k)))
        return next(m for m in correct if answer_key(m) == best), "teacher"
    if allow_gold:
        return gold_message(task), "gold"
    return None


@dataclass
class Candidate:
    """A rejected answer on offer, before quotas and dedupe."""

    message: dict[str, Any]
    source: str
    reason: Reason


def select_rejected(chosen: dict[str, Any], candidates: Iterable[Candidate], config: PairConfig,
                    rng: random.Random) -> list[Candidate]:
    """Dedupe (exact and normalized), drop anything equal to the chosen, apply quotas and the cap.

    Sources are preferred in the order teacher, student, corruption: real mistakes before synthetic ones.
    """
    seen = {answer_key(chosen), json.dumps(chosen, sort_keys=True)}
    by_source: dict[str, list[Candidate]] = {s: [] for s in SOURCES}
    for candidate in candidates:
        keys = {answer_key(candidate.message), json.dumps(candidate.message, sort_keys=True)}
        if keys & seen:
            continue
        seen |= keys
        by_source[candidate.source.split(":")[0]].append(candidate)
    picked: list[Candidate] = []
    for source in SOURCES:
        pool = by_source[source]
        rng.shuffle(pool)
        picked.extend(pool[: config.quotas.get(source, 0)])
    return picked[: config.pairs_per_task]


def make_pair(task: Task, chosen: dict[str, Any], chosen_source: str, rejected: Candidate) -> Pair:
    return Pair(task_id=task.id, subtask=task.subtask, prompt=task.messages, chosen=chosen, rejected=rejected.message,
                tools=task.tools, source=rejected.source, reason=rejected.reason, chosen_source=chosen_source)


def rendered_row(pair: Pair) -> dict[str, Any]:
    """The pair for a student whose chat template ignores tools: tools in the system prompt, calls as text."""
    return {
        "prompt": render_conversation(pair.prompt, pair.tools),
        "chosen": [render_message(pair.chosen)],
        "rejected": [render_message(pair.rejected)],
        "subtask": pair.subtask, "source": pair.source, "reason": pair.reason.value, "task_id": pair.task_id,
    }


def to_datasets(pairs: Sequence[Pair]) -> tuple[Any, Any]:
    """(conversational dataset with a ``tools`` column, rendered dataset) as HF `datasets.Dataset`s.

    Messages and tools are stored with the `Json` feature: tool arguments differ in shape from row to
    row, and Arrow's struct inference would otherwise add every other row's keys as nulls.
    """
    from datasets import Dataset, Features, Json, List, Value

    text = {"subtask": Value("string"), "source": Value("string"), "reason": Value("string"),
            "task_id": Value("string")}
    messages = {"prompt": List(Json()), "chosen": List(Json()), "rejected": List(Json())}

    def table(rows: list[dict[str, Any]], features: Features) -> Any:  # by columns: no pairs is an empty table
        return Dataset.from_dict({name: [row[name] for row in rows] for name in features}, features=features)

    conversational = table([p.to_trl_row() for p in pairs], Features({**messages, "tools": List(Json()), **text}))
    rendered = table([rendered_row(p) for p in pairs], Features({**messages, **text}))
    return conversational, rendered


def pair_stats(pairs: Sequence[Pair]) -> dict[str, Any]:
    return {
        "pairs": len(pairs),
        "pairs_by_subtask": dict(sorted(Counter(p.subtask for p in pairs).items())),
        "pairs_by_reason": dict(sorted(Counter(p.reason.value for p in pairs).items())),
        "pairs_by_source": dict(sorted(Counter(p.source for p in pairs).items())),
        "chosen_by_source": dict(sorted(Counter(p.chosen_source for p in pairs).items())),
        "table": sorted([[s, src, r, n] for (s, src, r), n in
                         Counter((p.subtask, p.source.split(":")[0], p.reason.value) for p in pairs).items()]),
    }


Judged = dict[str, list[tuple[Sample, Verdict]]]
"""Task id -> its samples with their verdicts."""


def build_pairs(tasks: Sequence[Task], teacher: Judged, student: Judged, config: PairConfig,
                label: Any, seed: int) -> tuple[list[Pair], Counter[str]]:
    """Pairs for every task that has a chosen answer, in task order.

    `label(samples) -> verdicts` is the verifier (with its sandbox), used on the corruptions.
    """
    from distill.corruptions import corrupt

    counts: Counter[str] = Counter()
    plans = []
    offered: list[Sample] = []
    modes: dict[tuple[str, int], str] = {}
    for task in tasks:
        picked = pick_chosen(task, teacher.get(task.id, []), config.allow_gold_chosen)
        if picked is None:
            counts["tasks_without_chosen"] += 1
            continue
        chosen, chosen_source = picked
        rng = random.Random(f"{seed}:{task.id}")
        candidates = [Candidate(answer_message(s, v), "teacher", v.reason)
                      for s, v in teacher.get(task.id, []) if not v.correct]
        candidates += [Candidate(answer_message(s, v), "student", v.reason)
                       for s, v in student.get(task.id, []) if not v.correct]
        for number, (mode, message) in enumerate(corrupt(task, chosen, rng)):
            index = 10_000 + number
            modes[(task.id, index)] = mode
            offered.append(_as_sample(task.id, index, message))
        plans.append((task, chosen, chosen_source, candidates, rng))
    by_key = {(s.task_id, s.index): s for s in offered}
    confirmed: dict[str, list[Verdict]] = {}
    for verdict in label(offered):
        if not verdict.correct:
            confirmed.setdefault(verdict.task_id, []).append(verdict)
    pairs: list[Pair] = []
    for task, chosen, chosen_source, candidates, rng in plans:
        for verdict in confirmed.get(task.id, []):
            key = (task.id, verdict.sample_index)
            candidates.append(Candidate(_message_of(by_key[key]), f"corruption:{modes[key]}", verdict.reason))
        rejected = select_rejected(chosen, candidates, config, rng)
        counts["tasks_without_pairs"] += not rejected
        counts[f"chosen_{chosen_source}"] += 1
        pairs.extend(make_pair(task, chosen, chosen_source, r) for r in rejected)
    counts["corruptions_offered"] = len(offered)
    counts["corruptions_confirmed_wrong"] = sum(len(v) for v in confirmed.values())
    return pairs, counts


ON_POLICY = PairConfig(quotas={"student": 2}, allow_gold_chosen=True)
"""On-policy rounds: the gold rendering as chosen (no teacher is asked), up to two of the student's own
wrong answers as rejected."""


def on_policy_pairs(tasks: Sequence[Task], samples: Iterable[Sample], verify: VerifyConfig, sandbox: Sandbox,
                    seed: int) -> list[Pair]:
    """Pairs whose rejected side is the student's own failure on `tasks` (a `make dpo` round after the
    first); a task the student answered right yields none."""
    student = judge_samples(tasks, samples, verify, sandbox)
    pairs, _ = build_pairs(tasks, {}, student, ON_POLICY, lambda s: label_samples(tasks, s, verify, sandbox), seed)
    return pairs


def _as_sample(task_id: str, index: int, message: dict[str, Any]) -> Sample:
    calls = calls_of(message)
    return Sample(task_id, index, "corruption", "distill", text=message.get("content"),
                  tool_calls=calls or None)


def _message_of(sample: Sample) -> dict[str, Any]:
    return assistant_message(tuple(sample.tool_calls or ()), text=sample.text)
