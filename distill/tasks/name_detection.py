"""Function-name detection: pick the right function(s) among 3-8 distractors from similar domains.

Usually one function is needed, sometimes two different ones (the request joins two asks). The judge
grades names only for this sub-task; the gold still holds complete calls so other stages can use them.
"""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall
from distill.tasks.base import Context, join_requests, user

INSTRUCTION = (
    "Sub-task: function-name detection. Pick the function or functions that fulfil the request from "
    "the list and call them."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    first = ctx.pick_tool()
    specs = [first]
    if ctx.rng.random() < 0.3:
        same_domain = [s for s in ctx.pool.tools(ctx.split) if s.domain == first.domain and s.name != first.name]
        if same_domain:
            specs.append(ctx.rng.choice(same_domain))
    parts, calls = [], []
    for spec in specs:
        text, args = ctx.request(spec)
        parts.append(text)
        calls.append(ToolCall(spec.name, args))
    text = join_requests(ctx.rng, parts)
    distractors = ctx.distractors({s.name for s in specs}, ctx.rng.randint(3, 8))
    return ctx.task(index, [user(text)], [*specs, *distractors], Gold(calls=tuple(calls)))
