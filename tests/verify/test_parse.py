"""Every output shape parses to the same calls; failures carry a position and never raise."""

import pytest

from distill.records import Sample, ToolCall
from distill.verify.parse import Parsed, ParseFailure, parse_sample, parse_text

CALL = ToolCall("get_weather", {"city": "Paris", "days": 2})


@pytest.mark.parametrize("text", [
    '{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}',
    '[{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}]',
    '```json\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n```',
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n</tool_call>',
    '<tool_call>[{"name": "get_weather", "parameters": {"city": "Paris", "days": 2}}]</tool_call>',
    '[get_weather(city="Paris", days=2)]',
    '<function_call> {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}',
    '{"type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"days\\": 2}"}}',
], ids=["json", "json-list", "fenced", "hermes", "hermes-list-parameters", "pythonic", "granite", "openai-wrapper"])
def test_every_format_parses_to_the_same_call(text):
    parsed = parse_text(text)
    assert isinstance(parsed, Parsed), parsed
    assert parsed.calls == (CALL,)


def test_native_calls_win_over_text():
    sample = Sample("t", 0, "openai", "m", text="thinking...", tool_calls=(CALL,))
    assert parse_sample(sample).calls == (CALL,)


def test_prose_is_an_answer_not_a_failure():
    parsed = parse_text("The weather in Paris is sunny, 21 degrees.")
    assert isinstance(parsed, Parsed) and parsed.calls == () and "sunny" in parsed.text


def test_strict_mode_rejects_prose_around_calls_and_tolerant_mode_keeps_it():
    text = 'Sure! <tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}</tool_call>'
    assert isinstance(parse_text(text, strict=True), ParseFailure)
    tolerant = parse_text(text)
    assert tolerant.calls == (CALL,) and tolerant.text == "Sure!"
    assert parse_text('Here you go: {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}').calls == (CALL,)


def test_malformed_json_reports_the_position():
    failure = parse_text('<tool_call>{"name": "get_weather", "arguments": {"city": }</tool_call>')
    assert isinstance(failure, ParseFailure) and failure.position > 11 and "invalid JSON" in failure.message


def test_unclosed_tool_call_is_a_failure():
    assert isinstance(parse_text('<tool_call>{"name": "f"'), ParseFailure)


def test_pythonic_calls_are_read_with_ast_and_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    text = f'[f(x=__import__("pathlib").Path("{marker}").touch())]'
    assert isinstance(parse_text(text), ParseFailure)
    assert not marker.exists()
    parsed = parse_text('[math.hypot(x=3, y=4.0, opts={"a": (1, 2)}), g()]')
    assert parsed.calls == (ToolCall("math.hypot", {"x": 3, "y": 4.0, "opts": {"a": [1, 2]}}), ToolCall("g", {}))


def test_call_without_a_name_is_a_failure():
    assert isinstance(parse_text('{"arguments": {"x": 1}}'), ParseFailure)
    assert isinstance(parse_text('{"name": "f", "arguments": [1, 2]}'), ParseFailure)


OTHER = ToolCall("get_time", {"city": "Rome"})
_A = '{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}'
_B = '{"name": "get_time", "arguments": {"city": "Rome"}}'


@pytest.mark.parametrize("text", [
    f"{_A}\n\n{_B}",
    f"{_A}, {_B}",
    f"Calling both:\n{_A}\nand then\n{_B}\nDone.",
    f"[{_A}]\n[{_B}]",
    f"```json\n{_A}\n```\nThen:\n```json\n{_B}\n```",
    f'{_A}\n{{"type": "function", "function": {_B}}}',
], ids=["blank-line", "comma", "prose-between", "two-lists", "two-fences", "openai-wrapper-second"])
def test_tolerant_json_reads_every_call_written_one_after_another(text):
    parsed = parse_text(text)
    assert isinstance(parsed, Parsed), parsed
    assert parsed.calls == (CALL, OTHER)
    assert "get_time" not in parsed.text and "get_weather" not in parsed.text


def test_strict_json_still_rejects_a_second_call_object():
    assert isinstance(parse_text(f"{_A}\n{_B}", strict=True), ParseFailure)
    assert isinstance(parse_text(f"```json\n{_A}\n```\n```json\n{_B}\n```", strict=True), ParseFailure)


def test_a_truncated_further_call_is_a_parse_failure_at_its_position():
    text = f'{_A}\n{{"name": "get_time", "arguments": {{"city": "Ro'
    failure = parse_text(text)
    assert isinstance(failure, ParseFailure) and failure.position >= len(_A) and "invalid JSON" in failure.message


def test_json_that_is_not_a_call_after_the_call_stays_prose():
    schema = '{"type": "object", "properties": {"city": {"type": "string"}}}'
    parsed = parse_text(f"{_A}\nThe schema was {schema}.\n```python\nprint(1)\n```")
    assert isinstance(parsed, Parsed) and parsed.calls == (CALL,)
    assert schema in parsed.text and "print(1)" in parsed.text


def test_brackets_in_prose_before_a_fenced_call_do_not_hide_it():
    parsed = parse_text(f"Use the [weather] tool:\n```json\n{_A}\n```")
    assert isinstance(parsed, Parsed) and parsed.calls == (CALL,) and "[weather]" in parsed.text


@pytest.mark.parametrize("tail", ["{", '{"', '{"name', '[{"name": "get_ti'], ids=["brace", "quote", "key", "list"])
def test_a_call_cut_off_before_its_name_right_after_a_call_is_a_parse_failure(tail):
    """What a model that runs on writes at the token limit: not a clean single call followed by prose."""
    assert isinstance(parse_text(f"{_A}\n{tail}"), ParseFailure)
    assert isinstance(parse_text(f"{_A}, {tail}"), ParseFailure)


def test_a_value_right_after_a_call_that_is_not_a_call_is_prose():
    parsed = parse_text(f'{_A}\n{{"temperature": 21}}\n[1, 2]')
    assert isinstance(parsed, Parsed) and parsed.calls == (CALL,) and '"temperature"' in parsed.text


@pytest.mark.parametrize("sep", ["\n", ", "])
def test_more_calls_than_the_cap_written_one_after_another_fail_before_all_are_read(sep):
    from distill.verify.parse import MAX_CALLS

    assert len(parse_text(sep.join([_A] * MAX_CALLS)).calls) == MAX_CALLS
    failure = parse_text(sep.join([_A] * (MAX_CALLS + 50)))
    assert isinstance(failure, ParseFailure) and "more than" in failure.message
