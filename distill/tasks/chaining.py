"""Chaining: a later call needs an earlier call's result.

The conversation holds the first call (assistant turn) and its result (tool turn); the gold is the
next call, whose argument is taken from that result. Executing the first call and then the gold
reproduces `Gold.result`.
"""

from __future__ import annotations

from distill.records import Gold, Task, ToolCall, assistant_message
from distill.tasks.base import Context, execute, tool_result, user
from distill.tools import registry

INSTRUCTION = (
    "Sub-task: chaining. Earlier calls and their results are in the conversation; make the next call,"
    " using those results."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""


def generate(ctx: Context, index: int) -> Task | None:
    comps = ctx.compositions()
    if not comps:
        return None
    comp = ctx.rng.choice(comps)
    text, a, b = ctx.composed_request(comp)
    first = ToolCall(comp.first, a, id="call_0")
    (result,) = execute([first])
    value = result if comp.key is None else result[comp.key]
    second = ToolCall(comp.second, {**b, comp.param: value})
    final = execute([first, second])[-1]
    tools = registry().tools
    messages = [user(text), assistant_message((first,)), {**tool_result(comp.first, result), "tool_call_id": "call_0"}]
    distractors = ctx.distractors({comp.first, comp.second}, ctx.rng.randint(1, 4))
    return ctx.task(index, messages, [tools[comp.first], tools[comp.second], *distractors],
                    Gold(calls=(second,), result=final))
