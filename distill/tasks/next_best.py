"""Next-best function: the obvious function is unavailable, or it returned an error in the conversation;
the right move is the alternative that still answers the request.

Two shapes, half each: the primary is missing from the tool list; or the primary is listed, was
called, and its tool turn reports a failure.
"""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall, assistant_message
from distill.tasks.base import Context, tool_result, user
from distill.tools import registry

INSTRUCTION = (
    "Sub-task: next-best function. The obvious function is unavailable or failed; call the best "
    "alternative that still answers the request."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""

ERRORS = (
    "ServiceUnavailable: {name} is temporarily down, try again later",
    "Timeout: {name} did not respond within 30 s",
    "HTTP 503 from {name}: upstream provider unavailable",
    "RateLimitExceeded: {name} quota exhausted for today",
)


def generate(ctx: Context, index: int) -> Task | None:
    fallbacks = ctx.fallbacks()
    if not fallbacks:
        return None
    fb = ctx.rng.choice(fallbacks)
    tools = registry().tools
    primary, alternative = tools[fb.primary], tools[fb.alternative]
    text, args = ctx.request(primary, primary.intents[0])
    gold = Gold(calls=(ToolCall(fb.alternative, fb.convert(args)),))
    distractors = ctx.distractors({fb.primary, fb.alternative}, ctx.rng.randint(1, 4))
    if ctx.rng.random() < 0.5:
        ctx.meta["shape"] = "unavailable"
        return ctx.task(index, [user(text)], [alternative, *distractors], gold)
    ctx.meta["shape"] = "failed"
    failed = ToolCall(fb.primary, args, id="call_0")
    error = {"error": ctx.rng.choice(ERRORS).format(name=fb.primary)}
    messages = [user(text), assistant_message((failed,)), {**tool_result(fb.primary, error), "tool_call_id": "call_0"}]
    return ctx.task(index, messages, [primary, alternative, *distractors], gold)
