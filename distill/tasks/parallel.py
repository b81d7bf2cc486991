"""Parallel: several independent calls in one turn (same or different functions), order-free."""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall
from distill.tasks.base import Context, join_requests, user

INSTRUCTION = (
    "Sub-task: parallel calls. The request needs several independent calls: make all of them in this "
    "one turn."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    n = ctx.rng.randint(2, 4)
    first = ctx.pick_tool()
    if ctx.rng.random() < 0.5:
        specs = [first] * n  # the same function with different arguments
    else:
        others = [s for s in ctx.pool.tools(ctx.split) if s.name != first.name and s.domain == first.domain]
        others = others or [s for s in ctx.pool.tools(ctx.split) if s.name != first.name]
        specs = [first, *(ctx.rng.choice(others) for _ in range(n - 1))]
    parts: list[str] = []
    calls: list[ToolCall] = []
    for spec in specs:
        for _ in range(5):  # redraw on an exact repeat: two identical calls are not "several" calls
            text, args = ctx.request(spec)
            if ToolCall(spec.name, args) not in calls:
                break
        else:
            return None
        parts.append(text)
        calls.append(ToolCall(spec.name, args))
    request = join_requests(ctx.rng, parts)
    names = {c.name for c in calls}
    distractors = ctx.distractors(names, ctx.rng.randint(1, 4))
    unique = list(dict.fromkeys(specs))
    return ctx.task(index, [user(request)], [*unique, *distractors], Gold(calls=tuple(calls), ordered=False))
