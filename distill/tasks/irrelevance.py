"""Irrelevance: the right answer is no call.

Three shapes: no listed function fits the request (the fitting tool and its whole domain are left
out); a required value is missing from the request (the tool's `vague` phrasings); or the request is
not a task for any function at all (small talk, general knowledge).
"""

from __future__ import annotations

from distill.records import Gold, Task
from distill.tasks.base import Context, user
from distill.tools import registry
from distill.tools.base import render

INSTRUCTION = (
    "Sub-task: irrelevance detection. If no function fits the request or a required value is missing,"
    " do not call anything: answer or ask in words."
)
"""Stated in the system turn of this sub-task's tasks (``tasks.instruction=full``)."""

OFF_TOPIC = (
    "Tell me a joke about programmers.",
    "Who wrote the novel Pride and Prejudice?",
    "Can you write a haiku about autumn leaves?",
    "What's a good name for a golden retriever puppy?",
    "Explain in one paragraph why the sky is blue.",
    "Hi! How are you doing today?",
    "Give me three tips for sleeping better.",
    "What is the difference between a simile and a metaphor?",
    "Summarize the plot of Romeo and Juliet in two sentences.",
    "Thanks, that's all I needed!",
    "Which is your favourite colour, and why?",
    "Suggest a fun weekend activity for a rainy day.",
    "What does the idiom 'break the ice' mean?",
    "Recommend a classic film for a movie night.",
    "How do I politely decline a meeting invitation?",
    "Translate 'good morning' into Spanish.",
)


def generate(ctx: Context, index: int) -> Task | None:
    roll = ctx.rng.random()
    if roll < 0.4:
        return _no_tool_fits(ctx, index)
    if roll < 0.7:
        return _missing_value(ctx, index)
    return _off_topic(ctx, index)


def _no_tool_fits(ctx: Context, index: int) -> Task | None:
    spec = ctx.pick_tool()
    text, _ = ctx.request(spec)
    # Leave out the tool, its whole domain and any fallback partner, so nothing listed can answer.
    partners = {f.alternative for f in registry().fallbacks if f.primary == spec.name}
    candidates = [s for s in ctx.pool.tools(ctx.split) if s.domain != spec.domain and s.name not in partners]
    ctx.rng.shuffle(candidates)
    ctx.meta["shape"] = "no_tool_fits"
    return ctx.task(index, [user(text)], candidates[: ctx.rng.randint(2, 5)], Gold())


def _missing_value(ctx: Context, index: int) -> Task | None:
    specs = [s for s in ctx.pool.tools(ctx.split) if any(i.vague for i in s.intents)]
    if not specs:
        return None
    spec = ctx.pick_tool(specs)
    intent = ctx.rng.choice([i for i in spec.intents if i.vague])
    key = f"{spec.name}#{spec.intents.index(intent)}#vague"
    number, template = ctx.rng.choice(ctx.pool.templates(ctx.split, key, intent.vague))
    ctx.meta.update(shape="missing_value", templates=[f"{key}/{number}"],
                    heldout_tool=spec.name in ctx.pool.heldout_tools)
    text = render(template, intent.sample(ctx.rng))
    return ctx.task(index, [user(text)], [spec, *ctx.distractors({spec.name}, ctx.rng.randint(1, 4))], Gold())


def _off_topic(ctx: Context, index: int) -> Task | None:
    order = ctx.pool.templates(ctx.split, "off_topic", OFF_TOPIC)
    number, text = ctx.rng.choice(order)
    ctx.meta.update(shape="off_topic", templates=[f"off_topic/{number}"], heldout_tool=False)
    tools = ctx.pool.tools(ctx.split)
    return ctx.task(index, [user(text)], ctx.rng.sample(tools, ctx.rng.randint(2, 5)), Gold())
