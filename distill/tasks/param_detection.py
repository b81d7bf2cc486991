"""Parameter-value detection: the function is given (the only one listed); fill in the argument values."""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall
from distill.tasks.base import Context, user
from distill.tools import tool_schema

INSTRUCTION = (
    "Sub-task: parameter-value detection. Call the given function, filling every argument with the "
    "value stated in the request."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    # Prefer tools with several parameters: that is where value detection is hard.
    candidates = [s for s in ctx.pool.tools(ctx.split) if len(tool_schema(s.name).parameters["properties"]) >= 2]
    spec = ctx.pick_tool(candidates or None)
    text, args = ctx.request(spec)
    return ctx.task(index, [user(text)], [spec], Gold(calls=(ToolCall(spec.name, args),)))
