"""distill's tool rendering for templates without tool support: compact signatures, calls the
verifier reads back, conversations with tools in the system turn."""

import json

from distill.formatting import (
    calls_as_json,
    calls_of,
    fix_chat_template,
    render_calls,
    render_conversation,
    render_message,
    signature,
    type_name,
)
from distill.records import Tool, ToolCall, assistant_message
from distill.verify.parse import Parsed, parse_text

WEATHER = Tool("get_temperature", "Get the temperature of a city.", {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "array", "items": {"type": "integer"}},
                   "units": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["city"],
})


def test_type_names_are_short_and_cover_enums_lists_maps_and_unions():
    assert type_name({"type": "integer"}) == "int"
    assert type_name({"type": "array", "items": {"type": "number"}}) == "list[float]"
    assert type_name({"type": "object", "additionalProperties": {"type": "boolean"}}) == "dict[str, bool]"
    assert type_name({"type": ["string", "null"]}) == "str|null"
    assert type_name({"enum": ["a", 1]}) == '"a"|1'
    assert type_name({}) == "any"


def test_signature_marks_optional_arguments_and_keeps_the_description():
    assert signature(WEATHER) == ('get_temperature(city: str, days?: list[int], units?: "celsius"|"fahrenheit"): '
                                  "Get the temperature of a city.")


def test_rendered_calls_parse_back_to_the_same_calls():
    calls = (ToolCall("get_temperature", {"city": "Zürich", "days": [1, 2]}), ToolCall("f", {}))
    parsed = parse_text(render_calls(calls))
    assert isinstance(parsed, Parsed)
    assert [(c.name, c.arguments) for c in parsed.calls] == [(c.name, c.arguments) for c in calls]
    assert "Zürich" in render_calls(calls)  # not escaped: fewer tokens


def test_calls_as_json_writes_one_object_per_line_that_parses_back_to_the_same_calls():
    calls = (ToolCall("get_temperature", {"city": "Zürich", "days": [1, 2]}), ToolCall("f", {}))
    turn = calls_as_json(assistant_message(calls, "Checking both."))
    assert set(turn) == {"role", "content"} and "<tool_call>" not in turn["content"]
    words, *lines = turn["content"].split("\n")
    assert words == "Checking both." and [json.loads(line)["name"] for line in lines] == ["get_temperature", "f"]
    parsed = parse_text(turn["content"])
    assert isinstance(parsed, Parsed)
    assert [(c.name, c.arguments) for c in parsed.calls] == [(c.name, c.arguments) for c in calls]
    assert "Zürich" in turn["content"]


def test_calls_as_json_takes_the_tags_out_of_a_text_answer_and_keeps_the_rest():
    broken = '<tool_call>\n{"name":"f","arguments":{"a":1}\n</tool_call>\n<tool_call>\n{"name":"g"}\n</tool_call>'
    assert calls_as_json(assistant_message(text=broken)) == {
        "role": "assistant", "content": '{"name":"f","arguments":{"a":1}\n{"name":"g"}'}


def test_calls_as_json_leaves_turns_without_calls_unchanged():
    for turn in (assistant_message(text="No function fits."), {"role": "user", "content": "hi"},
                 {"role": "tool", "content": "3"}):
        assert calls_as_json(turn) == turn


def test_messages_render_calls_and_tool_results_as_text():
    message = assistant_message((ToolCall("f", {"x": 1}),), text="Let me check.")
    assert [(c.name, c.arguments) for c in calls_of(message)] == [("f", {"x": 1})]
    rendered = render_message(message)
    assert rendered["role"] == "assistant" and rendered["content"].startswith("Let me check.\n<tool_call>")
    assert render_message({"role": "tool", "content": json.dumps(3)}) == {
        "role": "tool", "content": "<tool_response>\n3\n</tool_response>"}
    assert render_message({"role": "user", "content": None}) == {"role": "user", "content": ""}


def test_conversation_puts_the_tools_into_the_system_turn_or_adds_one():
    with_system = render_conversation([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
                                      [WEATHER])
    assert with_system[0]["content"].startswith("Be brief.\n\nFunctions") and signature(WEATHER) in with_system[0]["content"]
    assert len(with_system) == 2
    without = render_conversation([{"role": "user", "content": "hi"}], [WEATHER])
    assert [m["role"] for m in without] == ["system", "user"]
    assert render_conversation([{"role": "user", "content": "hi"}], []) == [{"role": "user", "content": "hi"}]


# Qwen2.5-Coder-1.5B-Instruct's shipped template, the part that shows the call format (a Jinja string literal).
QWEN_BUG = ('{{- "<tool_call>\\n{{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}}\\n</tool_call>" }}'
            "{% for m in messages %}{{ m['content'] }}{% endfor %}")


class _Tokenizer:
    """What fix_chat_template touches of a tokenizer: its template, rendered by transformers' own Jinja."""

    def __init__(self, template):
        self.chat_template = template

    def render(self):
        from transformers.utils.chat_template_utils import render_jinja_template

        rendered, _ = render_jinja_template(conversations=[[{"role": "user", "content": "hi"}]],
                                            chat_template=self.chat_template)
        return rendered[0]


def test_fix_chat_template_undoubles_the_braces_of_qwens_call_example():
    tokenizer = _Tokenizer(QWEN_BUG)
    assert '{{"name": <function-name>' in tokenizer.render()  # what the 1.5B is shown, and copies
    assert fix_chat_template(tokenizer) == ["qwen2.5 doubled braces"]
    rendered = tokenizer.render()
    assert rendered == '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>hi'
    assert fix_chat_template(tokenizer) == []  # nothing left to correct


def test_fix_chat_template_leaves_a_template_without_known_bugs_as_it_was():
    correct = QWEN_BUG.replace("{{\\", "{\\").replace("}}\\n", "}\\n")
    tokenizer = _Tokenizer(correct)
    assert fix_chat_template(tokenizer) == [] and tokenizer.chat_template == correct
    assert fix_chat_template(_Tokenizer(None)) == []  # no template at all
