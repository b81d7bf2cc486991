"""Sub-task drafts for tools without templates: what each sub-task asks, before a writer words it.

A `Draft` is a task with its user message still to write: the calls the request must ask for
(`Draft.asks`, every value stated), a required value it must leave out (irrelevance), the turns that
follow the request (earlier calls and results) and the gold. The drafts follow the template
generators' semantics (`distill.tasks.*`): distractors, held-out tools in test, next-best with the
primary missing or failed, parallel, chaining and nested where one result feeds another call, and
irrelevance as no fitting tool, a missing value, or off-topic.

What is known about a user's tools comes from their schemas and from executing verified example
arguments (`Example`): a composition is a result (or a key of a dict result) that matches a
parameter of another tool by name and JSON type; a fallback is another tool whose required
parameters the first one's arguments cover and whose name shares a word with it. Names and types
miss relations a user knows (``searchBooks``' ``results.0.id`` is ``getBook``'s ``book_id``): those
are declared (`declared_compositions`, `declared_fallbacks`; ``written.compositions`` and
``written.fallbacks`` in conf/tasks.yaml) and join the discovered ones.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.records import Gold, Tool, ToolCall, assistant_message
from distill.tasks.base import stable_fraction, tool_result
from distill.tasks.irrelevance import OFF_TOPIC
from distill.tasks.next_best import ERRORS
from distill.tasks.response_generation import facts_of

NEEDS_RESULTS = frozenset({"chaining", "nested", "response_generation"})
"""Sub-tasks whose gold needs executed results: none for schema-only tools."""


@dataclass(frozen=True)
class Example:
    """Verified arguments of one tool and, when executable, their result."""

    tool: Tool
    arguments: dict[str, Any]
    result: Any = None
    executed: bool = False

    @property
    def call(self) -> ToolCall:
        return ToolCall(self.tool.name, self.arguments)


@dataclass(frozen=True)
class Composition:
    """`first`'s result (or the part of it at `key`) is the `param` of `second`."""

    first: Example
    second: Example
    param: str
    key: tuple[str | int, ...] | None
    """A path into the result (dict keys, list indices); None: the whole result (nested calls)."""

    @property
    def value(self) -> Any:
        return self.first.result if self.key is None else at_path(self.first.result, self.key)


def at_path(value: Any, path: Sequence[str | int]) -> Any:
    """``value[path[0]][path[1]]...``; KeyError when the path is not in `value`."""
    for step in path:
        in_dict = isinstance(value, dict) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value)
        if not (in_dict or in_list):
            raise KeyError(step)
        value = value[step]
    return value


def parse_path(key: str | int | None) -> tuple[str | int, ...] | None:
    """``"results.0.id"`` -> ``("results", 0, "id")``, ``0`` -> ``(0,)``; None or ``""`` -> None (the whole
    result)."""
    if key is None or key == "":
        return None
    return tuple(int(part) if part.lstrip("-").isdigit() else part for part in str(key).split("."))


@dataclass(frozen=True)
class Fallback:
    primary: Tool
    alternative: Tool


@dataclass
class Draft:
    subtask: str
    split: str
    number: int
    tools: list[Tool]
    gold: Gold
    asks: tuple[ToolCall, ...] = ()
    """Calls the request asks for; it states every value of them but `omit` and `derived`."""
    omit: str | None = None
    """A required argument (of the first asked call) the request must leave out."""
    derived: tuple[tuple[int, str], ...] = ()
    """(asked call, argument) whose value comes from an earlier result, so the request does not state it."""
    text: str | None = None
    """The request, when it needs no writer (off-topic)."""
    after: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pool:
    """The examples and relations one split may use: held-out tools only in test (half the gold there),
    and a stable quarter of each tool's examples kept for test."""

    tools: list[Tool]
    examples: dict[str, list[Example]]
    heldout: frozenset[str]
    compositions: list[Composition]
    fallbacks: list[Fallback]
    split: str
    rng: random.Random

    def usable(self, name: str) -> bool:
        return self.split == "test" or name not in self.heldout

    def pick(self, candidates: Sequence[str] | None = None) -> Example | None:
        """An example of a tool this split may use; in test, half the draws from held-out tools."""
        names = [n for n in (candidates or self.examples) if self.usable(n) and self.examples.get(n)]
        if self.split == "test":
            held, seen = [n for n in names if n in self.heldout], [n for n in names if n not in self.heldout]
            if held and seen:
                names = held if self.rng.random() < 0.5 else seen
        return self.rng.choice(self.examples[self.rng.choice(names)]) if names else None

    def distractors(self, exclude: set[str], k: int) -> list[Tool]:
        pool = [t for t in self.tools if t.name not in exclude and self.usable(t.name)]
        self.rng.shuffle(pool)
        return pool[:k]

    def draft(self, subtask: str, number: int, listed: list[Tool], gold: Gold, shape: str | None = None,
              **kw: Any) -> Draft:
        listed = list({t.name: t for t in listed}.values())
        self.rng.shuffle(listed)
        asked = {c.name for c in (*gold.calls, *kw.get("asks", ()))}
        meta = {"heldout_tool": bool(asked & self.heldout), "written": True, **({"shape": shape} if shape else {})}
        return Draft(subtask, self.split, number, listed, gold, meta=meta, **kw)


def split_examples(examples: Sequence[Example], split: str, seed: int) -> list[Example]:
    """A stable quarter of a tool's examples is for test only (as held-out templates are)."""
    if len(examples) < 4:
        return list(examples)
    test = [stable_fraction(seed, "example", e.tool.name, i) < 0.25 for i, e in enumerate(examples)]
    return [e for e, t in zip(examples, test, strict=True) if t == (split == "test")]


def find_compositions(examples: dict[str, list[Example]]) -> list[Composition]:
    """Result -> parameter links, by name and JSON type, between executed examples of two tools."""
    found = []
    for first in (e for items in examples.values() for e in items[:3] if e.executed):
        for name, items in examples.items():
            if name == first.tool.name or not items:
                continue
            second = items[0]
            props = second.tool.parameters.get("properties", {})
            for param, schema in props.items():
                key = _linking_key(first, param, schema)
                if key is not False:
                    found.append(Composition(first, second, param, key))
    return found


def _linking_key(first: Example, param: str, schema: dict[str, Any]) -> tuple[str] | None | bool:
    """None: the whole result is `param`; a key: that key of the dict result; False: no link."""
    result = first.result
    if isinstance(result, dict):  # a key of the result, unless it only echoes an argument of the call
        linked = param in result and _fits(result[param], schema)
        return (param,) if linked and result[param] not in first.arguments.values() else False
    shared = (set(_words(param)) & set(_words(first.tool.name))) - VERBS - GENERIC
    return None if _fits(result, schema) and shared else False


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    checks: dict[str, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str) and 0 < len(v) <= 60,
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if "enum" in schema:
        return value in schema["enum"]
    return kind in checks and checks[kind](value)


VERBS = frozenset({"get", "find", "list", "search", "fetch", "lookup", "compute", "calculate", "estimate"})
GENERIC = frozenset({"date", "time", "name", "id", "value", "type", "count", "number"})
"""Words too common in parameter names to link a result to a parameter by name alone."""


def declared_compositions(specs: Sequence[dict[str, Any]], tools: Sequence[Tool],
                          examples: dict[str, list[Example]],
                          blank: Callable[[Tool], dict[str, Any]]) -> list[Composition]:
    """The user's ``{from, key, to, param}`` links, one per executed example of ``from`` whose result has
    a value at ``key`` that fits ``param``'s schema. The second call's other arguments come from an
    example of ``to`` or, when it has none (its made-up ids failed), from `blank`; the chained
    sequence is executed before a task is kept.

    Raises:
        ValueError: naming the entry, for an unknown tool or parameter.
    """
    by_name = {t.name: t for t in tools}
    found = []
    for i, spec in enumerate(specs):
        where = f"written.compositions[{i}]"
        first_tool, second_tool = (_tool(by_name, spec, field, where) for field in ("from", "to"))
        param = spec.get("param")
        schema = second_tool.parameters.get("properties", {}).get(param)
        if schema is None:
            raise ValueError(f"{where}.param={param!r}: {second_tool.name} has no such parameter "
                             f"(it has {', '.join(second_tool.parameters.get('properties', {})) or 'none'})")
        key = parse_path(spec.get("key"))
        for first in (e for e in examples.get(first_tool.name, []) if e.executed):
            comp = Composition(first, _second(second_tool, examples, blank), param, key)
            try:
                if _fits(comp.value, schema):
                    found.append(comp)
            except KeyError:
                continue
    return found


def _second(tool: Tool, examples: dict[str, list[Example]], blank: Callable[[Tool], dict[str, Any]]) -> Example:
    own = examples.get(tool.name)
    return own[0] if own else Example(tool, blank(tool))


def declared_fallbacks(specs: Sequence[dict[str, Any]], tools: Sequence[Tool]) -> list[Fallback]:
    """The user's ``{primary, alternative}`` pairs; the alternative must need no argument the primary
    does not take (next-best passes the primary's values on).

    Raises:
        ValueError: naming the entry, for an unknown tool or an alternative that needs more.
    """
    by_name = {t.name: t for t in tools}
    found = []
    for i, spec in enumerate(specs):
        where = f"written.fallbacks[{i}]"
        primary, alternative = (_tool(by_name, spec, field, where) for field in ("primary", "alternative"))
        extra = set(alternative.parameters.get("required", [])) - set(primary.parameters.get("properties", {}))
        if extra:
            raise ValueError(f"{where}: {alternative.name} needs {', '.join(sorted(extra))}, which "
                             f"{primary.name} does not take, so its values cannot be passed on")
        found.append(Fallback(primary, alternative))
    return found


def _tool(by_name: dict[str, Tool], spec: dict[str, Any], field: str, where: str) -> Tool:
    name = spec.get(field)
    if name not in by_name:
        raise ValueError(f"{where}.{field}={name!r}: no such tool (the tools are {', '.join(sorted(by_name))})")
    return by_name[name]


def find_fallbacks(tools: Sequence[Tool]) -> list[Fallback]:
    """Pairs where the alternative's required parameters are among the primary's, and one name's words
    (verbs aside) are all in the other's (``harvest_date`` / ``estimate_harvest_date``)."""
    found = []
    for primary in tools:
        mine = set(primary.parameters.get("properties", {}))
        for alternative in tools:
            needed = set(alternative.parameters.get("required", []))
            a, b = set(_words(primary.name)) - VERBS, set(_words(alternative.name)) - VERBS
            if alternative.name != primary.name and needed and needed <= mine and a and b and (a <= b or b <= a):
                found.append(Fallback(primary, alternative))
    return found


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()) if w]


# -- one builder per sub-task: (pool, number) -> Draft or None (this draw cannot make one) ---------------


def simple(pool: Pool, number: int) -> Draft | None:
    ex = pool.pick()
    if ex is None:
        return None
    listed = [ex.tool, *pool.distractors({ex.tool.name}, pool.rng.randint(2, 5))]
    return pool.draft("simple", number, listed, Gold(calls=(ex.call,)), asks=(ex.call,))


def name_detection(pool: Pool, number: int) -> Draft | None:
    first = pool.pick()
    if first is None:
        return None
    chosen = [first]
    second = pool.pick([n for n in pool.examples if n != first.tool.name]) if pool.rng.random() < 0.3 else None
    if second is not None:
        chosen.append(second)
    calls = tuple(e.call for e in chosen)
    listed = [*(e.tool for e in chosen), *pool.distractors({c.name for c in calls}, pool.rng.randint(3, 8))]
    return pool.draft("name_detection", number, listed, Gold(calls=calls), asks=calls)


def param_detection(pool: Pool, number: int) -> Draft | None:
    several = [n for n, items in pool.examples.items()
               if items and len(items[0].tool.parameters.get("properties", {})) >= 2]
    ex = pool.pick(several or None)
    if ex is None:
        return None
    return pool.draft("param_detection", number, [ex.tool], Gold(calls=(ex.call,)), asks=(ex.call,))


def parallel(pool: Pool, number: int) -> Draft | None:
    first = pool.pick()
    if first is None:
        return None
    chosen = [first]
    for _ in range(pool.rng.randint(1, 2)):
        same = pool.rng.random() < 0.5
        other = pool.pick([first.tool.name] if same else [n for n in pool.examples if n != first.tool.name])
        if other is not None and other.call not in [e.call for e in chosen]:
            chosen.append(other)
    if len(chosen) < 2:
        return None
    calls = tuple(e.call for e in chosen)
    listed = [*(e.tool for e in chosen), *pool.distractors({c.name for c in calls}, pool.rng.randint(1, 4))]
    return pool.draft("parallel", number, listed, Gold(calls=calls, ordered=False), asks=calls)


def chaining(pool: Pool, number: int) -> Draft | None:
    comp = _composition(pool, nested=False)
    if comp is None:
        return None
    first = ToolCall(comp.first.tool.name, comp.first.arguments, id="call_0")
    second = ToolCall(comp.second.tool.name, {**comp.second.arguments, comp.param: comp.value})
    after = [assistant_message((first,)), {**tool_result(first.name, comp.first.result), "tool_call_id": "call_0"}]
    listed = [comp.first.tool, comp.second.tool, *pool.distractors({first.name, second.name}, pool.rng.randint(1, 4))]
    # Gold.result is filled in once the sequence has run (see distill.tasks.writer).
    return pool.draft("chaining", number, listed, Gold(calls=(second,)), asks=(first, second),
                      derived=((1, comp.param),), after=after)


def nested(pool: Pool, number: int) -> Draft | None:
    comp = _composition(pool, nested=True)
    if comp is None:
        return None
    first = comp.first.call
    second = ToolCall(comp.second.tool.name, {**comp.second.arguments, comp.param: {"$ref": 0}})
    shown = ToolCall(second.name, {k: v for k, v in second.arguments.items() if k != comp.param})
    listed = [comp.first.tool, comp.second.tool, *pool.distractors({first.name, second.name}, pool.rng.randint(1, 4))]
    return pool.draft("nested", number, listed, Gold(calls=(first, second), ordered=True),
                      asks=(first, shown), derived=((1, comp.param),))


def _composition(pool: Pool, nested: bool) -> Composition | None:
    comps = [c for c in pool.compositions if pool.usable(c.first.tool.name) and pool.usable(c.second.tool.name)
             and (c.key is None or not nested)]  # nested passes a whole result ({"$ref": 0}); chaining any part
    return pool.rng.choice(comps) if comps else None


def next_best(pool: Pool, number: int) -> Draft | None:
    fallbacks = [f for f in pool.fallbacks if pool.usable(f.primary.name) and pool.usable(f.alternative.name)]
    for _ in range(5):
        if not fallbacks:
            return None
        fb = pool.rng.choice(fallbacks)
        ex = pool.pick([fb.primary.name])
        if ex is None:
            fallbacks.remove(fb)
            continue
        keys = set(fb.alternative.parameters.get("properties", {}))
        gold = Gold(calls=(ToolCall(fb.alternative.name, {k: v for k, v in ex.arguments.items() if k in keys}),))
        others = pool.distractors({fb.primary.name, fb.alternative.name}, pool.rng.randint(1, 4))
        if pool.rng.random() < 0.5:
            return pool.draft("next_best", number, [fb.alternative, *others], gold, asks=(ex.call,),
                              shape="unavailable")
        failed = ToolCall(fb.primary.name, ex.arguments, id="call_0")
        error = {"error": pool.rng.choice(ERRORS).format(name=fb.primary.name)}
        after = [assistant_message((failed,)), {**tool_result(fb.primary.name, error), "tool_call_id": "call_0"}]
        return pool.draft("next_best", number, [fb.primary, fb.alternative, *others], gold, asks=(ex.call,),
                          after=after, shape="failed")
    return None


def response_generation(pool: Pool, number: int) -> Draft | None:
    executed = [n for n, items in pool.examples.items() if any(e.executed and facts_of(e.result) for e in items)]
    ex = pool.pick(executed)
    if ex is None or not ex.executed or not facts_of(ex.result):
        return None
    call = ToolCall(ex.tool.name, ex.arguments, id="call_0")
    after = [assistant_message((call,)), {**tool_result(call.name, ex.result), "tool_call_id": "call_0"}]
    listed = [ex.tool, *pool.distractors({ex.tool.name}, pool.rng.randint(0, 3))]
    return pool.draft("response_generation", number, listed, Gold(facts=tuple(facts_of(ex.result))),
                      asks=(ex.call,), after=after)


def irrelevance(pool: Pool, number: int) -> Draft | None:
    roll = pool.rng.random()
    ex = pool.pick()
    if ex is None:
        return None
    if roll < 0.4:  # nothing listed fits: leave out the tool and its fallback partners
        partners = {f.alternative.name for f in pool.fallbacks if f.primary.name == ex.tool.name}
        listed = pool.distractors({ex.tool.name, *partners}, pool.rng.randint(2, 5))
        return pool.draft("irrelevance", number, listed, Gold(), asks=(ex.call,), shape="no_tool_fits") \
            if listed else None
    required = [k for k in ex.tool.parameters.get("required", []) if k in ex.arguments]
    if roll < 0.7 and required:
        listed = [ex.tool, *pool.distractors({ex.tool.name}, pool.rng.randint(1, 4))]
        return pool.draft("irrelevance", number, listed, Gold(), asks=(ex.call,), omit=pool.rng.choice(required),
                          shape="missing_value")
    listed = pool.distractors(set(), pool.rng.randint(2, 5))
    return pool.draft("irrelevance", number, listed, Gold(), text=pool.rng.choice(OFF_TOPIC), shape="off_topic")


BUILDERS: dict[str, Callable[[Pool, int], Draft | None]] = {
    "name_detection": name_detection, "param_detection": param_detection, "simple": simple,
    "parallel": parallel, "chaining": chaining, "nested": nested, "next_best": next_best,
    "response_generation": response_generation, "irrelevance": irrelevance,
}
