"""distill's own tool rendering, for chat templates that ignore ``tools=`` (SmolLM2's plain ChatML).

Tools go into the system message as compact JSON inside ``<tools>...</tools>``; calls are written as
``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` (the Hermes / Qwen convention, which the
verifier's ``hermes`` parser reads back); tool results become ``<tool_response>`` turns. Compact
rendering matters: on a CPU, DPO step time grows with prompt length, and only the task's own tools
are rendered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from distill.records import Tool, ToolCall

TOOLS_PREAMBLE = (
    "You can call these functions. Their JSON signatures are inside <tools></tools>:\n<tools>\n{tools}\n</tools>\n"
    "To call functions, reply only with one <tool_call></tool_call> block per call, each holding "
    '{{"name": <function name>, "arguments": <arguments object>}}. Otherwise reply in words.'
)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_tools(tools: Iterable[Tool]) -> str:
    """The tool block for a system message."""
    lines = "\n".join(compact({"name": t.name, "description": t.description, "parameters": t.parameters})
                      for t in tools)
    return TOOLS_PREAMBLE.format(tools=lines)


def render_calls(calls: Sequence[ToolCall]) -> str:
    """Calls as ``<tool_call>`` text, one block per call."""
    return "\n".join(f"<tool_call>\n{compact({'name': c.name, 'arguments': c.arguments})}\n</tool_call>"
                     for c in calls)


def calls_of(message: dict[str, Any]) -> tuple[ToolCall, ...]:
    """The ToolCalls of an assistant message in the records' chat format."""
    return tuple(ToolCall(c["function"]["name"], c["function"]["arguments"], c.get("id"))
                 for c in message.get("tool_calls") or ())


def render_message(message: dict[str, Any]) -> dict[str, str]:
    """One chat turn as plain ``{role, content}`` text (calls and tool results written out)."""
    role, content = message["role"], message.get("content") or ""
    if role == "assistant" and message.get("tool_calls"):
        calls = render_calls(calls_of(message))
        return {"role": "assistant", "content": f"{content}\n{calls}".strip()}
    if role == "tool":
        return {"role": "tool", "content": f"<tool_response>\n{content}\n</tool_response>"}
    return {"role": role, "content": content}


def render_conversation(messages: Sequence[dict[str, Any]], tools: Sequence[Tool]) -> list[dict[str, str]]:
    """A conversation for a template without tool support: tools in the system message, calls as text."""
    rendered = [render_message(m) for m in messages]
    if tools:
        block = render_tools(tools)
        if rendered and rendered[0]["role"] == "system":
            rendered[0] = {"role": "system", "content": f"{rendered[0]['content']}\n\n{block}"}
        else:
            rendered.insert(0, {"role": "system", "content": block})
    return rendered


def template_renders_tools(tokenizer: Any) -> bool:
    """Whether the tokenizer's chat template renders ``tools=`` (TRL's own check)."""
    from trl.chat_template_utils import supports_tool_calling

    try:
        return bool(supports_tool_calling(tokenizer))
    except Exception:  # noqa: BLE001 - a template that cannot even be probed does not render tools
        return False


def chat_prompt(tokenizer: Any, messages: Sequence[dict[str, Any]], tools: Sequence[Tool],
                tools_in_template: bool) -> str:
    """The generation prompt for a conversation: through the template's own tool support when it has
    one, else through distill's rendering (tools in the system message, calls as text)."""
    if tools_in_template:
        return tokenizer.apply_chat_template(list(messages), tools=[t.to_openai() for t in tools] or None,
                                             add_generation_prompt=True, tokenize=False)
    return tokenizer.apply_chat_template(render_conversation(messages, tools), add_generation_prompt=True,
                                         tokenize=False)
