"""distill's own tool rendering, for chat templates that ignore ``tools=`` (SmolLM2's plain ChatML).

Tools go into the system message as one signature line each inside ``<tools>...</tools>``
(``get_temperature(city: str, date: str, units?: "celsius"|"fahrenheit"): Get the temperature...``):
about a third of the tokens of the JSON schemas, which matters to a small model's context and to DPO
step time on a CPU (a prompt of six JSON schemas is ~650 tokens, as signatures ~250). Calls are written as
``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` (the Hermes / Qwen convention, which the
verifier's ``hermes`` parser reads back); tool results become ``<tool_response>`` turns. Compact
rendering matters: on a CPU, DPO step time grows with prompt length, and only the task's own tools
are rendered.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from distill.records import Tool, ToolCall

TOOLS_PREAMBLE = (
    "Functions (? marks an optional argument):\n<tools>\n{tools}\n</tools>\n"
    'To call, reply only with <tool_call>{{"name": ..., "arguments": {{...}}}}</tool_call>, one block per call.'
)
_CALL_TAGS = re.compile(r"(?:\s*</?tool_call>)+\s*")
"""A run of ``<tool_call>`` / ``</tool_call>`` tags with the space around them."""
_TYPE_NAMES = {"integer": "int", "number": "float", "string": "str", "boolean": "bool", "object": "object"}


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def type_name(schema: dict[str, Any]) -> str:
    """A short type for a JSON schema: ``int``, ``list[float]``, ``"a"|"b"`` for an enum."""
    if "enum" in schema:
        return "|".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"list[{type_name(schema.get('items', {}))}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict[str, {type_name(schema['additionalProperties'])}]"
    if isinstance(kind, list):
        return "|".join(_TYPE_NAMES.get(k, str(k)) for k in kind)
    return _TYPE_NAMES.get(kind, "any") if kind else "any"


def signature(tool: Tool) -> str:
    """One line: ``name(arg: type, optional?: type): description``."""
    props = tool.parameters.get("properties", {})
    required = tool.parameters.get("required", [])
    args = ", ".join(f"{name}{'' if name in required else '?'}: {type_name(spec)}" for name, spec in props.items())
    return f"{tool.name}({args}): {tool.description}"


def render_tools(tools: Iterable[Tool]) -> str:
    """The tool block for a system message."""
    return TOOLS_PREAMBLE.format(tools="\n".join(signature(t) for t in tools))


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


def calls_as_json(message: dict[str, Any]) -> dict[str, Any]:
    """An assistant turn with its calls written as its text (after any words it says first), one
    ``{"name": ..., "arguments": {...}}`` object per line; any other turn unchanged.

    The answer format of ``student.call_format=json``: for a student that does not write the tokens its
    own template renders calls with. Qwen2.5-Coder-0.5B/1.5B-Instruct never write ``<tool_call>`` (a
    log-prob of -22 where an answer starts), though their template asks for it; trained on answers
    inside those tags, the 0.5B learns to end an answer only after ``</tool_call>``, which it cannot
    write, so it runs on with call after call (``results/granular_vs_umbrella_qwen``). The verifier's
    tolerant JSON mode reads these lines back as the calls they are. A text answer written with the tags
    (a rejected one that does not parse, such as the ``broken_format`` corruption) loses the tags and
    keeps the rest, so a pair's two sides are in the same format.
    """
    if message.get("role") != "assistant":
        return message
    if not message.get("tool_calls"):
        content = message.get("content")
        if not content or "tool_call>" not in content:
            return message
        return {**message, "content": _CALL_TAGS.sub("\n", content).strip()}
    lines = [json.dumps({"name": c.name, "arguments": c.arguments}, ensure_ascii=False) for c in calls_of(message)]
    return {"role": "assistant", "content": "\n".join([message.get("content") or "", *lines]).strip()}


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


TEMPLATE_FIXES: tuple[tuple[str, str, str], ...] = (
    ("qwen2.5 doubled braces",
     '{{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}}',
     '{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}'),
)
"""Known bugs in shipped chat templates: (name, text in the template, its correction).

Qwen2.5-Coder-1.5B-Instruct's template shows its call format with Python-format-escaped braces, so the
prompt reads ``{{"name": <function-name>, ...}}``; the 0.5B of the same family ships it corrected. The
1.5B copies the doubled braces into 24 of 180 answers (``results/memory``), which then do not parse.
OpenVINO GenAI patches the same string in these templates."""


def fix_chat_template(tokenizer: Any, model: str = "") -> list[str]:
    """Correct the known bugs of `TEMPLATE_FIXES` in ``tokenizer.chat_template``, in place, and log what
    was corrected in `model`'s template, or that nothing was (``teacher.options.fix_template``); the
    names of the bugs it found."""
    template = tokenizer.chat_template
    fixed: list[str] = []
    if isinstance(template, str):  # None, or a dict of named templates: nothing known to fix
        for name, wrong, right in TEMPLATE_FIXES:
            if wrong in template:
                fixed.append(name)
                template = template.replace(wrong, right)
        tokenizer.chat_template = template
    log = logging.getLogger("distill")
    if fixed:
        log.info("%s: chat template corrected (%s)", model, ", ".join(fixed))
    else:
        log.warning("%s: fix_template is set but its chat template has none of the known bugs; prompts are "
                    "unchanged", model)
    return fixed


def chat_prompt(tokenizer: Any, messages: Sequence[dict[str, Any]], tools: Sequence[Tool],
                tools_in_template: bool) -> str:
    """The generation prompt for a conversation: through the template's own tool support when it has
    one, else through distill's rendering (tools in the system message, calls as text)."""
    if tools_in_template:
        return tokenizer.apply_chat_template(list(messages), tools=[t.to_openai() for t in tools] or None,
                                             add_generation_prompt=True, tokenize=False)
    return tokenizer.apply_chat_template(render_conversation(messages, tools), add_generation_prompt=True,
                                         tokenize=False)
