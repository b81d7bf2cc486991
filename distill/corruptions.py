"""Targeted corruptions of a chosen answer: one generator per failure mode.

A failure both engines make (these corruptions and the simulated teacher's `distill.sampling.simulated.MODES`)
has one name in both: ``wrong_function``, ``missing_argument``, ``extra_argument``, ``wrong_type``,
``broken_format``, ``irrelevant_call``, ``prose``.

Each generator takes the task, the chosen assistant message and an RNG, and returns a corrupted
assistant message, or None when its failure mode cannot apply (no distractor to swap in, one call only
for a parallel mode...). The pair builder verifies every corruption and keeps only the ones the
verifier rejects, tagged with the verifier's reason.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from distill.formatting import calls_of, render_calls
from distill.records import Task, ToolCall, assistant_message, is_ref

Message = dict[str, Any]
Generator = Callable[[Task, Message, random.Random], Message | None]


def _replace(calls: tuple[ToolCall, ...], index: int, call: ToolCall) -> Message:
    return assistant_message((*calls[:index], call, *calls[index + 1:]))


def _pick(calls: tuple[ToolCall, ...], rng: random.Random) -> tuple[int, ToolCall]:
    index = rng.randrange(len(calls))
    return index, calls[index]


def _plain_args(call: ToolCall) -> list[str]:
    return sorted(k for k, v in call.arguments.items() if not is_ref(v))


def wrong_function(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Call a distractor from the task's list instead of the right function."""
    calls = calls_of(chosen)
    distractors = [t.name for t in task.tools if t.name not in {c.name for c in calls}]
    if not calls or not distractors:
        return None
    index, call = _pick(calls, rng)
    return _replace(calls, index, ToolCall(rng.choice(distractors), call.arguments))


def missing_argument(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Leave out a required argument."""
    calls = calls_of(chosen)
    tools = {t.name: t for t in task.tools}
    options = [(i, k) for i, c in enumerate(calls) if c.name in tools
               for k in c.arguments if k in tools[c.name].parameters.get("required", [])]
    if not options:
        return None
    index, key = rng.choice(options)
    call = calls[index]
    return _replace(calls, index, ToolCall(call.name, {k: v for k, v in call.arguments.items() if k != key}))


def wrong_type(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Give a value of the wrong JSON type (a number as a string, a string as a list...)."""
    calls = calls_of(chosen)
    options = [(i, k) for i, c in enumerate(calls) for k in _plain_args(c)]
    if not options:
        return None
    index, key = rng.choice(options)
    call, value = calls[index], calls[index].arguments[key]
    if isinstance(value, bool):
        changed: Any = "yes" if value else "no"
    elif isinstance(value, int | float):
        changed = str(value)
    elif isinstance(value, str):
        changed = [value]
    else:
        changed = json.dumps(value)
    return _replace(calls, index, ToolCall(call.name, {**call.arguments, key: changed}))


def extra_argument(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Add an argument the function does not have."""
    calls = calls_of(chosen)
    if not calls:
        return None
    index, call = _pick(calls, rng)
    name = rng.choice(("verbose", "format", "limit", "include_details", "language", "timeout"))
    if name in call.arguments:
        return None
    return _replace(calls, index, ToolCall(call.name, {**call.arguments, name: True}))


def swapped_values(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Swap two values of the same type between arguments (origin and destination, x and y...)."""
    calls = calls_of(chosen)
    options = []
    for i, call in enumerate(calls):
        keys = _plain_args(call)
        for a in keys:
            for b in keys:
                va, vb = call.arguments[a], call.arguments[b]
                if a < b and type(va) is type(vb) and va != vb:
                    options.append((i, a, b))
    if not options:
        return None
    index, a, b = rng.choice(options)
    args = dict(calls[index].arguments)
    args[a], args[b] = args[b], args[a]
    return _replace(calls, index, ToolCall(calls[index].name, args))


def missing_parallel_call(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Drop one of several calls."""
    calls = calls_of(chosen)
    if len(calls) < 2 or task.gold.ordered:
        return None
    index = rng.randrange(len(calls))
    return assistant_message(calls[:index] + calls[index + 1:])


def extra_parallel_call(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Repeat one call (answering a request twice)."""
    calls = calls_of(chosen)
    if not calls or task.gold.ordered:
        return None
    return assistant_message((*calls, calls[rng.randrange(len(calls))]))


def broken_chain_order(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Nested: the consumer before the producer. Chaining: redo the earlier call instead of the next."""
    calls = calls_of(chosen)
    if task.subtask == "nested" and len(calls) >= 2:
        return assistant_message(tuple(reversed(calls)))
    earlier = [c for m in task.messages if m.get("role") == "assistant" for c in calls_of(m)]
    if task.subtask == "chaining" and earlier:
        return assistant_message((ToolCall(earlier[-1].name, earlier[-1].arguments),))
    return None


def irrelevant_call(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Call a listed function where the right answer is words."""
    if calls_of(chosen) or not task.tools:
        return None
    tool = rng.choice(task.tools)
    props = tool.parameters.get("properties", {})
    placeholder = {"integer": 1, "number": 1.0, "boolean": True, "array": [], "object": {}}
    args = {k: (props[k].get("enum") or [placeholder.get(props[k].get("type"), "value")])[0]
            for k in tool.parameters.get("required", []) if k in props}
    return assistant_message((ToolCall(tool.name, args),))


def prose_instead_of_call(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """Describe the call in words instead of making it."""
    calls = calls_of(chosen)
    if not calls:
        return None
    return assistant_message(text=rng.choice((
        f"You could use {calls[0].name} for that.",
        "Sure, I can help with that! Let me know if you need anything else.",
        f"I'd call {calls[0].name} with the values you gave me.",
    )))


def broken_format(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """The right call written with broken syntax (unbalanced JSON inside the tag)."""
    calls = calls_of(chosen)
    if not calls:
        return None
    text = render_calls(calls)
    cut = text.rfind("}")
    return assistant_message(text=text[:cut] + text[cut + 1:])


def wrong_fact(task: Task, chosen: Message, rng: random.Random) -> Message | None:
    """A text answer with the numbers changed (response generation)."""
    if calls_of(chosen) or not task.gold.facts:
        return None
    text = chosen.get("content") or ""
    changed = text
    for fact in task.gold.facts:
        if isinstance(fact.value, int | float) and not isinstance(fact.value, bool):
            wrong = round(fact.value * 1.37 + 3, 2) if isinstance(fact.value, float) else fact.value + 7
            changed = changed.replace(str(fact.value), str(wrong))
    return assistant_message(text=changed) if changed != text else None


GENERATORS: dict[str, Generator] = {
    "wrong_function": wrong_function,
    "missing_argument": missing_argument,
    "wrong_type": wrong_type,
    "extra_argument": extra_argument,
    "swapped_values": swapped_values,
    "missing_parallel_call": missing_parallel_call,
    "extra_parallel_call": extra_parallel_call,
    "broken_chain_order": broken_chain_order,
    "irrelevant_call": irrelevant_call,
    "prose": prose_instead_of_call,
    "broken_format": broken_format,
    "wrong_fact": wrong_fact,
}


def corrupt(task: Task, chosen: Message, rng: random.Random) -> list[tuple[str, Message]]:
    """Every applicable corruption of the chosen answer, as (mode, message)."""
    out = []
    for mode, generator in GENERATORS.items():
        message = generator(task, chosen, rng)
        if message is not None:
            out.append((mode, message))
    return out
