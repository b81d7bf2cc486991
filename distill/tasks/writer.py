"""Tasks for tools without templates, APIGen-style: a writer model words them, a chain of checks keeps them.

1. **Values.** For each tool, the writer proposes argument sets (``values=proposed``; any Sampler: an
   API teacher, the local Qwen, or the simulated writer), or they are drawn from the schema
   (``values=sampled``). Each set must pass the *schema* check (jsonschema) and, when the tools
   execute, the *execution* check (it runs without error); what it returns feeds response
   generation, chaining and nested.
2. **Drafts.** Per sub-task and split, `distill.tasks.written` builds drafts with the template
   generators' semantics: the calls the request asks for, the gold, the turns after the request.
3. **Requests.** The writer words each draft's request. *Format* check: a plain message (no call, not
   empty, not too long) stating every value it must state and not the one it must leave out.
4. **Semantics.** An independent model (the checker) answers the finished task and the verifier judges
   it: a task whose intended answer the checker does not reach is dropped (APIGen's semantic check:
   disagreements are more often a bad request than a bad checker).

Writer and checker requests go through the response cache, so a rerun asks nothing again. Drop
counts per stage and sub-task land in the tasks run's summary.json.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from distill.records import SUBTASKS, Gold, Sample, Task, Tool, ToolCall
from distill.sampling.base import SamplingParams, check_range
from distill.tasks.base import stable_fraction, system_message, user
from distill.tasks.written import (
    BUILDERS,
    NEEDS_RESULTS,
    Composition,
    Draft,
    Example,
    Pool,
    declared_compositions,
    declared_fallbacks,
    find_compositions,
    find_fallbacks,
    split_examples,
)
from distill.tools.base import mention
from distill.verify.sandbox import OK, Program
from distill.verify.values import leaves, numbers_in, states_number, states_string

log = logging.getLogger("distill")

STAGES = ("schema", "execution", "format", "semantic")
RELATION_HINT = ("; declare them (written.compositions, written.fallbacks), and mind that held-out tools make "
                 "test tasks only (tasks.heldout_tool_fraction)")
MAX_REQUEST_CHARS = 1200
WRITER_SYSTEM = ("You write realistic data for training assistants that call functions. Follow the instructions "
                 "exactly and reply with only what is asked for.")


@dataclass(frozen=True)
class WriteConfig:
    """How tasks are written for tools without templates (``written:`` in conf/tasks.yaml)."""

    values: str = "proposed"
    """``proposed`` (the writer proposes argument values) or ``sampled`` (drawn from the schema)."""
    values_per_tool: int = 8
    oversample: float = 1.5
    """Drafts per wanted task: drops are replaced from the surplus."""
    semantic_check: bool = True
    temperature: float = 0.7
    max_tokens: int = 512
    compositions: tuple[dict[str, Any], ...] = ()
    """Declared result -> parameter links, ``{from, key, to, param}`` (`written.declared_compositions`)."""
    fallbacks: tuple[dict[str, Any], ...] = ()
    """Declared next-best pairs, ``{primary, alternative}`` (`written.declared_fallbacks`)."""

    def __post_init__(self) -> None:
        for name in ("compositions", "fallbacks"):  # Hydra hands over ListConfigs of DictConfigs
            entries = getattr(self, name) or ()
            if not all(hasattr(e, "keys") for e in entries):
                raise ValueError(f"written.{name}: expected a list of mappings, got {entries!r}")
            object.__setattr__(self, name, tuple({str(k): e[k] for k in e} for e in entries))
        if self.values not in ("proposed", "sampled"):
            raise ValueError(f"written.values={self.values!r}: expected proposed or sampled")
        check_range("written.values_per_tool", self.values_per_tool, low=1, integer=True)
        check_range("written.oversample", self.oversample, low=1.0)

    def params(self, seed: int) -> SamplingParams:
        return SamplingParams(n=1, temperature=self.temperature, max_tokens=self.max_tokens, seed=seed)


@dataclass
class Drops:
    """Why drafts were dropped: stage -> sub-task -> count."""

    counts: dict[str, Counter[str]]

    @classmethod
    def empty(cls) -> Drops:
        return cls({stage: Counter() for stage in STAGES})

    def add(self, stage: str, subtask: str, n: int = 1) -> None:
        self.counts[stage][subtask] += n

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {stage: dict(sorted(c.items())) for stage, c in self.counts.items()}


def write_tasks(mixture: Any, tools: Sequence[Tool], seed: int, writer: Any, checker: Any, executor: Any,
                verify: Any, config: WriteConfig) -> tuple[list[Task], dict[str, Any]]:
    """Every task of `mixture`'s budget that survives the checks, and the report for summary.json.

    `writer` and `checker` are Samplers (cached by the caller); `executor` runs the tools (its
    ``executes`` is False for schema-only tools, which then get no result-dependent sub-tasks).
    """
    drops = Drops.empty()
    heldout = heldout_tools(tools, seed, mixture.heldout_tool_fraction)
    def blank(tool: Tool) -> dict[str, Any]:
        return sample_arguments(tool.parameters, random.Random(f"{seed}:blank:{tool.name}"))

    examples = make_examples(tools, seed, writer, executor, config, drops, blank)
    executes = executor.executes
    # Declared links are checked even for schema-only tools (which have no results to link, so none).
    declared = declared_compositions(config.compositions, tools, examples, blank)
    compositions = [*find_compositions(examples), *declared] if executes else []
    fallbacks = [*find_fallbacks(tools), *declared_fallbacks(config.fallbacks, tools)]
    budgets = mixture.budgets()
    unsupported = sorted({s for (s, _), n in budgets.items() if n and s in NEEDS_RESULTS and not executes})
    drafts: list[Draft] = []
    few: dict[str, list[str]] = {}
    for (subtask, split), count in budgets.items():
        if subtask in unsupported or not count:
            continue
        pool = Pool(list(tools), {n: split_examples(e, split, seed) for n, e in examples.items()}, heldout,
                    compositions, fallbacks, split, random.Random(f"{seed}:written:{subtask}:{split}"))
        made = _drafts(pool, subtask, count, config.oversample)
        if len(made) < count:
            few.setdefault(subtask, []).append(f"{split} {len(made)}/{count}")
        drafts += made
    for subtask, splits in few.items():
        log.warning("written tasks: too few %s drafts (%s): too few tools or relations%s", subtask, ", ".join(splits),
                    RELATION_HINT if subtask in ("chaining", "nested", "next_best") else "")
    finished = _finish(drafts, executor, drops)
    tasks = _assemble(_word(finished, writer, seed, config, drops), mixture.instruction)
    if config.semantic_check:
        tasks = _agreed(tasks, checker, verify, executor, drops, seed)
    kept = _keep(tasks, budgets)
    made = Counter(t.subtask for t in kept)
    wanted = Counter()
    for (subtask, _), n in budgets.items():
        wanted[subtask] += n
    report = {
        "executable": executes, "values": config.values, "semantic_check": config.semantic_check,
        "tools": len(tools), "heldout_tools": sorted(heldout), "compositions": len(compositions),
        "fallbacks": len(fallbacks), "unsupported_subtasks": unsupported,
        "examples": {n: len(e) for n, e in sorted(examples.items())},
        "drafts": dict(sorted(Counter(d.subtask for d in drafts).items())),
        "dropped": drops.as_dict(),
        "kept": dict(sorted(made.items())),
        "short": {s: wanted[s] - made[s] for s in SUBTASKS if wanted[s] > made[s]},
    }
    return kept, report


def heldout_tools(tools: Sequence[Tool], seed: int, fraction: float) -> frozenset[str]:
    """The `fraction` of the tools with the lowest stable hash (at least one with 4 tools or more)."""
    names = sorted((t.name for t in tools), key=lambda n: stable_fraction(seed, "heldout-tool", n))
    if len(names) < 4 or fraction <= 0:
        return frozenset()
    return frozenset(names[: max(1, round(len(names) * fraction))])


# -- 1. values --------------------------------------------------------------------------------------------


def make_examples(tools: Sequence[Tool], seed: int, writer: Any, executor: Any, config: WriteConfig,
                  drops: Drops, blank: Callable[[Tool], dict[str, Any]]) -> dict[str, list[Example]]:
    """Verified argument sets per tool (schema-valid, and executed without error when the tools run).

    Tools whose arguments name things only the service knows (``getBook(book_id)``) rarely get a
    made-up value right: a declared composition gives them values from another tool's results
    (``searchBooks``' ``results.0.id``), verified the same way.
    """
    from jsonschema import Draft202012Validator

    proposed = _proposals(tools, seed, writer, config)
    candidates = []
    for tool in tools:
        validator = Draft202012Validator(tool.parameters)
        for args in proposed[tool.name]:
            if isinstance(args, dict) and validator.is_valid(args):
                candidates.append(Example(tool, args))
            else:
                drops.add("schema", "values")
    if tools and not candidates:
        raise RuntimeError(f"the writer proposed no schema-valid argument set for any of the {len(tools)} tools "
                           f"({sum(len(v) for v in proposed.values())} proposals parsed): check teacher@writer "
                           "(its replies are in the cache), or draw values from the schemas: written.values=sampled")
    examples: dict[str, list[Example]] = {t.name: [] for t in tools}
    _add(examples, _verified(candidates, executor, drops, none_is_fatal=True))
    if executor.executes and config.compositions:
        linked = _linked(declared_compositions(config.compositions, tools, examples, blank), config.values_per_tool)
        _add(examples, _verified(linked, executor, drops))
    return examples


def _linked(compositions: list[Composition], k: int) -> list[Example]:
    """Up to `k` argument sets per tool whose declared parameters all take values from the linked results
    (``checkAvailability``: ``book_id`` from a search, ``branch_id`` from the branch list)."""
    values: dict[str, dict[str, list[Any]]] = {}
    seconds: dict[str, Example] = {}
    for comp in compositions:
        name = comp.second.tool.name
        seconds.setdefault(name, comp.second)
        found = values.setdefault(name, {}).setdefault(comp.param, [])
        if comp.value not in found:
            found.append(comp.value)
    linked = []
    for name, params in values.items():
        second = seconds[name]
        for i in range(min(k, max(len(v) for v in params.values()))):
            chosen = {param: found[(i * (j + 1)) % len(found)] for j, (param, found) in enumerate(params.items())}
            linked.append(Example(second.tool, {**second.arguments, **chosen}))
    return linked


def _verified(candidates: list[Example], executor: Any, drops: Drops, none_is_fatal: bool = False) -> list[Example]:
    """The candidates that run without error, with their results (all of them for schema-only tools).

    Raises:
        RuntimeError: with `none_is_fatal`, when not one candidate ran: the tools themselves do not run
            (a service that is not up, a module that fails), which no count of drops explains.
    """
    if not executor.executes:
        return candidates
    outcomes = executor.run([Program((e.call,)) for e in candidates])
    verified = []
    for example, outcome in zip(candidates, outcomes, strict=True):
        if outcome.status == OK:
            verified.append(Example(example.tool, example.arguments, outcome.results[0], True))
        else:
            drops.add("execution", "values")
    if none_is_fatal and candidates and not verified:
        errors = Counter(o.error for o in outcomes)
        raise RuntimeError(f"none of the {len(candidates)} example calls ran: is the tools= source reachable "
                           f"(tools.base_url for openapi, tools.command for mcp)? Most common error: "
                           f"{errors.most_common(1)[0][0]}")
    return verified


def _add(examples: dict[str, list[Example]], new: Iterable[Example]) -> None:
    for example in new:
        if example.call not in [e.call for e in examples[example.tool.name]]:
            examples[example.tool.name].append(example)


def _proposals(tools: Sequence[Tool], seed: int, writer: Any, config: WriteConfig) -> dict[str, list[Any]]:
    if config.values == "sampled":
        return {t.name: [sample_arguments(t.parameters, random.Random(f"{seed}:values:{t.name}:{i}"))
                         for i in range(config.values_per_tool)] for t in tools}
    asks = [values_task(t, config.values_per_tool) for t in tools]
    replies = {s.task_id: s for s in writer.sample(asks, config.params(seed))}
    return {t.name: parse_values(replies.get(a.id)) for t, a in zip(tools, asks, strict=True)}


def values_task(tool: Tool, k: int) -> Task:
    """The writer's request for `k` argument sets of `tool`."""
    prompt = (f"Here is a function, as a JSON schema:\n{json.dumps(tool.to_openai(), indent=1)}\n\n"
              f"Propose {k} different, realistic sets of arguments a user might want this function called with. "
              "Use plausible real-world values, vary them, include optional arguments sometimes, and follow the "
              f"schema's types and enums exactly. Reply with a JSON list of {k} argument objects and nothing else.")
    return Task(id=f"write/values/{tool.name}", subtask="write", split="train",
                messages=({"role": "system", "content": WRITER_SYSTEM}, user(prompt)), tools=(), gold=Gold(),
                meta={"write": {"kind": "values", "tool": tool.to_openai(), "k": k}})


def parse_values(sample: Sample | None) -> list[Any]:
    """The argument objects of a values reply (a JSON list, possibly fenced or with prose around it)."""
    if sample is None or not sample.text:
        return []
    text = sample.text
    start, end = text.find("["), text.rfind("]")
    try:
        data = json.loads(text[start: end + 1]) if 0 <= start < end else None
    except ValueError:
        data = None
    return data if isinstance(data, list) else []


def sample_arguments(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Arguments drawn from an object schema: every required property, each optional one half the time."""
    required = set(schema.get("required", []))
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name in required or rng.random() < 0.5:
            out[name] = sample_value(prop if isinstance(prop, dict) else {}, rng, name)
    return out


def sample_value(schema: dict[str, Any], rng: random.Random, name: str = "value") -> Any:
    """A value of a JSON schema: an enum member, an example, or a typed random value."""
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    if schema.get("examples"):
        return rng.choice(schema["examples"])
    named = described_examples(schema.get("description", ""))
    if named and schema.get("type") in ("string", None) and rng.random() < 0.75:  # as a model reading it would
        return rng.choice(named)
    kind = schema.get("type")
    kind = rng.choice([k for k in kind if k != "null"] or ["null"]) if isinstance(kind, list) else kind
    low, high = schema.get("minimum", 1), schema.get("maximum", 100)
    if kind == "integer":
        return rng.randint(int(low), int(high))
    if kind == "number":
        return round(rng.uniform(float(low), float(high)), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return [sample_value(schema.get("items") or {"type": "string"}, rng, name) for _ in range(rng.randint(1, 3))]
    if kind == "object":
        return sample_arguments(schema, rng)
    if kind == "null":
        return None
    if schema.get("format") == "date" or name.endswith("date"):
        return (datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))).isoformat()
    return f"{name.replace('_', ' ')} {rng.randint(1, 99)}"


def described_examples(description: str) -> list[str]:
    """The quoted values after "e.g." in a parameter's description (``e.g. "river" or "Okafor"``)."""
    found = re.search(r"\be\.g\.,?\s*(.*)", description or "", flags=re.S)
    return re.findall(r'"([^"\n]{1,60})"', found.group(1)) if found else []


# -- 2. drafts ---------------------------------------------------------------------------------------------


def _drafts(pool: Pool, subtask: str, count: int, oversample: float) -> list[Draft]:
    wanted, drafts, tries = max(count, int(count * oversample + 0.999)), [], 0
    while len(drafts) < wanted and tries < wanted * 10:
        tries += 1
        draft = BUILDERS[subtask](pool, len(drafts))
        if draft is not None:
            drafts.append(draft)
    return drafts


def _finish(drafts: list[Draft], executor: Any, drops: Drops) -> list[Draft]:
    """Run what the gold needs: the whole sequence of chaining and nested drafts (its last result is the
    gold result); a draft whose sequence fails is dropped at the execution stage."""
    todo = [d for d in drafts if d.subtask in ("chaining", "nested")]
    if not todo or not executor.executes:
        return drafts
    programs = [Program((*(ToolCall(c.name, c.arguments) for c in _earlier(d)), *d.gold.calls)) for d in todo]
    failed = set()
    for draft, outcome in zip(todo, executor.run(programs), strict=True):
        if outcome.status != OK:
            failed.add(id(draft))
            drops.add("execution", draft.subtask)
        else:
            draft.gold = Gold(calls=draft.gold.calls, ordered=draft.gold.ordered, result=outcome.results[-1])
    return [d for d in drafts if id(d) not in failed]


def _earlier(draft: Draft) -> list[ToolCall]:
    return [ToolCall(c["function"]["name"], c["function"]["arguments"])
            for m in draft.after if m.get("role") == "assistant" for c in m.get("tool_calls", [])]


# -- 3. requests --------------------------------------------------------------------------------------------


def request_task(draft: Draft) -> Task:
    """The writer's request for the user message of `draft`."""
    tools = {t.name: t.to_openai() for t in draft.tools if t.name in {c.name for c in draft.asks}}
    calls = [{"name": c.name, "arguments": c.arguments} for c in draft.asks]
    rules = ["State every argument value explicitly, in natural words; do not name the functions or parameters."]
    if len(calls) > 1:
        rules.append("The user asks for all of these in one message.")
    for number, param in draft.derived:
        rules.append(f"Call {number + 1}'s {param!r} comes from call 1's result: do not state a value for it.")
    if draft.omit:
        rules.append(f"The user forgets to give {draft.omit!r}: leave that value out entirely, say nothing about it.")
    prompt = (f"Functions:\n{json.dumps(list(tools.values()), indent=1)}\n\nWrite the message a user sends to an "
              f"assistant, asking for what these calls do:\n{json.dumps(calls, indent=1)}\n\n" + " ".join(rules)
              + f" Reply with the user's message only. (Request {draft.number + 1} of a set: vary the wording.)")
    return Task(id=f"write/request/{draft.subtask}/{draft.split}/{draft.number:06d}", subtask="write",
                split=draft.split, messages=({"role": "system", "content": WRITER_SYSTEM}, user(prompt)), tools=(),
                gold=Gold(), meta={"write": {"kind": "request", "calls": calls, "omit": draft.omit,
                                             "derived": [list(d) for d in draft.derived]}})


def _word(drafts: list[Draft], writer: Any, seed: int, config: WriteConfig, drops: Drops) -> list[Draft]:
    asks = {id(d): request_task(d) for d in drafts if d.text is None}
    replies = {s.task_id: s for s in writer.sample(list(asks.values()), config.params(seed))} if asks else {}
    kept = []
    for draft in drafts:
        if draft.text is None:
            reply = replies.get(asks[id(draft)].id)
            fault = request_fault(reply, draft)
            if fault is not None:
                drops.add("format", draft.subtask)
                continue
            draft.text = reply.text.strip().strip('"')  # type: ignore[union-attr]
            draft.meta["writer"] = reply.model  # type: ignore[union-attr]
        kept.append(draft)
    return kept


def request_fault(reply: Sample | None, draft: Draft) -> str | None:
    """Why a written request cannot be used, or None: no reply, a call instead of words, empty or too
    long, a value it should state missing, or the value it should leave out stated."""
    if reply is None or reply.error is not None:
        return "no reply"
    if reply.tool_calls or not reply.text or not reply.text.strip():
        return "not a plain message"
    text = reply.text.strip()
    if len(text) > MAX_REQUEST_CHARS or text.lstrip().startswith(("{", "[", "<tool_call>")):
        return "not a user message"
    numbers = numbers_in(text)
    derived = {(i, p) for i, p in draft.derived}
    for number, call in enumerate(draft.asks):
        for key, value in call.arguments.items():
            if (number, key) in derived:
                continue
            stated = all(_states(text, v, numbers) for v in _stated(value))
            if key == draft.omit and number == 0:
                if stated and _stated(value):
                    return f"states {key}, which it should leave out"
            elif not stated:
                return f"does not state {key}={value!r}"
    return None


def _stated(value: Any) -> list[Any]:
    """The values a request must state: every leaf but None and flags (phrased, not written)."""
    return [v for v in leaves(value) if v is not None and not isinstance(v, bool)]


def _states(text: str, value: Any, numbers: list[float]) -> bool:
    if isinstance(value, int | float):
        return states_number(text, float(value), 0.0, numbers)
    return states_string(text, str(value))


def _assemble(drafts: list[Draft], instruction: str) -> list[Task]:
    return [Task(id=f"{d.subtask}/{d.split}/{d.number:06d}", subtask=d.subtask, split=d.split,
                 messages=(system_message(d.subtask, instruction), user(d.text or ""), *d.after),
                 tools=tuple(d.tools), gold=d.gold, meta={"instruction": instruction, **d.meta})
            for d in drafts]


# -- 4. semantics --------------------------------------------------------------------------------------------


def _agreed(tasks: list[Task], checker: Any, verify: Any, executor: Any, drops: Drops, seed: int) -> list[Task]:
    """The tasks an independent answer (greedy, one sample) gets right under the verifier."""
    from distill.verify import label_samples

    params = SamplingParams(n=1, temperature=0.0, max_tokens=512, seed=seed)
    samples = [s for s in checker.sample(tasks, params) if s.error is None]
    right = {v.task_id for v in label_samples(tasks, samples, verify, executor) if v.correct}
    for task in tasks:
        if task.id not in right:
            drops.add("semantic", task.subtask)
    return [t for t in tasks if t.id in right]


def _keep(tasks: list[Task], budgets: dict[tuple[str, str], int]) -> list[Task]:
    """At most the budget of each (sub-task, split), in draft order, renumbered from 0."""
    kept, counts = [], Counter()
    for task in tasks:
        cell = (task.subtask, task.split)
        if counts[cell] < budgets.get(cell, 0):
            kept.append(dataclasses.replace(task, id=f"{task.subtask}/{task.split}/{counts[cell]:06d}",
                                            meta={**task.meta, "draft": task.id}))
            counts[cell] += 1
    return kept


# -- the simulated writer (offline, for tests and the demo) -------------------------------------------------


def simulated_write(spec: dict[str, Any], rng: random.Random) -> str:
    """What the simulated writer replies to a writing request (its ``meta["write"]``): argument sets
    drawn from the schema, or a plain request that states every value it should."""
    if spec["kind"] == "values":
        params = spec["tool"]["function"].get("parameters") or {}
        return json.dumps([sample_arguments(params, rng) for _ in range(spec["k"])])
    derived = {(i, p) for i, p in spec.get("derived", [])}
    parts = []
    for number, call in enumerate(spec["calls"]):
        shown = [f"{key.replace('_', ' ')} {mention(value)}" for key, value in call["arguments"].items()
                 if (number, key) not in derived and not (number == 0 and key == spec.get("omit"))]
        ask = " ".join(re.split(r"[_\W]+", call["name"])).strip()
        parts.append(f"{ask}" + (f" with {', '.join(shown)}" if shown else ""))
    return "Please " + "; then ".join(parts) + "."
