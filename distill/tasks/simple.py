"""Simple: one call, with 2-5 distractor functions in the list."""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall
from distill.tasks.base import Context, user

INSTRUCTION = "Sub-task: single call. Make exactly one call to the function that answers the request."
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    spec = ctx.pick_tool()
    text, args = ctx.request(spec)
    distractors = ctx.distractors({spec.name}, ctx.rng.randint(2, 5))
    return ctx.task(index, [user(text)], [spec, *distractors], Gold(calls=(ToolCall(spec.name, args),)))
