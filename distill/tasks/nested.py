"""Nested: one call's output is another call's argument, in a single turn.

Representation: the answer is a list of calls in order; an argument whose value is the object
``{"$ref": i}`` stands for the result of call ``i`` of the same turn (0-based). So ``f(g(x))`` is
``[g(x), f(y={"$ref": 0})]``. A plain JSON object is used (not a string such as ``"$0"``) so a
reference can never be mistaken for a real string value; the verifier resolves references by executing
the calls in order before validating and comparing. The base system prompt states the convention.
"""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall
from distill.tasks.base import Context, execute, user
from distill.tools import registry

INSTRUCTION = (
    "Sub-task: nested calls. One call's output is another call's input: make both calls in order, "
    'passing the first result as {"$ref": 0}.'
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    comps = ctx.compositions(nested_only=True)
    if not comps:
        return None
    comp = ctx.rng.choice(comps)
    text, a, b = ctx.composed_request(comp)
    calls = (ToolCall(comp.first, a), ToolCall(comp.second, {**b, comp.param: {"$ref": 0}}))
    final = execute(list(calls))[-1]
    tools = registry().tools
    distractors = ctx.distractors({comp.first, comp.second}, ctx.rng.randint(1, 4))
    return ctx.task(index, [user(text)], [tools[comp.first], tools[comp.second], *distractors],
                    Gold(calls=calls, ordered=True, result=final))
