"""Response generation: the tool results are already in the conversation; the right output is an
answer in words that states the values. Gold: the facts (numbers with a relative tolerance)."""

from __future__ import annotations

from typing import Any

from distill.records import Fact, Gold, Task, ToolCall, assistant_message
from distill.tasks.base import Context, execute, tool_result, user

INSTRUCTION = (
    "Sub-task: response generation. The function results are in the conversation; answer the user in "
    "words, stating the values."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""

MAX_FACTS = 3
NUMBER_TOLERANCE = 0.01
"""Relative: an answer may round a value to about 2 significant decimals of its magnitude."""


def generate(ctx: Context, index: int) -> Task | None:
    spec = ctx.pick_tool()
    text, args = ctx.request(spec)
    call = ToolCall(spec.name, args, id="call_0")
    (result,) = execute([call])
    facts = facts_of(result)
    if not facts:
        return None
    messages = [user(text), assistant_message((call,)), {**tool_result(spec.name, result), "tool_call_id": "call_0"}]
    distractors = ctx.distractors({spec.name}, ctx.rng.randint(0, 3))
    return ctx.task(index, messages, [spec, *distractors], Gold(facts=tuple(facts)))


def facts_of(result: Any, name: str = "result") -> list[Fact]:
    """Up to `MAX_FACTS` stateable values of a tool result: numbers and short strings, in result order."""
    facts: list[Fact] = []

    def visit(value: Any, path: str) -> None:
        if len(facts) >= MAX_FACTS:
            return
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            facts.append(Fact(path, value, NUMBER_TOLERANCE if isinstance(value, float) else 0.0))
        elif isinstance(value, str) and 0 < len(value) <= 40:
            facts.append(Fact(path, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value[:MAX_FACTS]):
                visit(item, f"{path}[{i}]")

    visit(result, name)
    return facts
