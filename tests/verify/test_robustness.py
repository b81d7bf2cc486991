"""Whatever a model writes, the verifier returns a verdict with a reason; it never raises."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distill.records import Gold, Reason, Sample, Task, ToolCall
from distill.tasks.base import schemas
from distill.verify import VerifyConfig, label_samples
from distill.verify.parse import ParseFailure, parse_text
from distill.verify.sandbox import Sandbox

TASK = Task("t", "simple", "test", ({"role": "user", "content": "add 1 and 2"},), tuple(schemas(["add_numbers"])),
            Gold(calls=(ToolCall("add_numbers", {"numbers": [1.0, 2.0]}),)))
SANDBOX = None


def _verdict(text=None, calls=None):
    global SANDBOX
    SANDBOX = SANDBOX or Sandbox(workers=1)
    sample = Sample("t", 0, "test", "m", text=text, tool_calls=calls)
    (verdict,) = label_samples([TASK], [sample], VerifyConfig(), sandbox=SANDBOX)
    assert isinstance(verdict.reason, Reason)
    return verdict


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_arbitrary_text_gets_a_verdict(text):
    _verdict(text=text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(json_values)
def test_arbitrary_json_gets_a_verdict(value):
    _verdict(text=json.dumps(value))
    _verdict(text=f"<tool_call>{json.dumps(value)}</tool_call>")
    _verdict(text=json.dumps({"name": "add_numbers", "arguments": value}))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_arbitrary_native_arguments_get_a_verdict(arguments):
    _verdict(calls=(ToolCall("add_numbers", arguments),))


def test_json_nested_100000_deep_gets_a_verdict():
    deep = "[" * 100_000 + "]" * 100_000
    assert _verdict(text=deep).reason is Reason.PARSE_ERROR
    assert _verdict(text=f"<tool_call>{deep}</tool_call>").reason is Reason.PARSE_ERROR
    deep_args = '{"name": "add_numbers", "arguments": {"numbers": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert _verdict(text=deep_args).reason is Reason.PARSE_ERROR
    assert _verdict(text="[f(x=" + "[" * 100_000 + "]" * 100_000 + ")]").reason is Reason.PARSE_ERROR


def test_10_mb_strings_get_a_verdict():
    huge = "x" * 10_000_000
    assert _verdict(text=huge).reason in (Reason.PARSE_ERROR, Reason.NO_CALL)
    args = json.dumps({"name": "add_numbers", "arguments": {"numbers": [1.0, 2.0], "note": huge}})
    assert _verdict(text=args[:900_000]).reason is Reason.PARSE_ERROR


def test_nan_infinity_and_lone_surrogates_are_parse_errors():
    assert _verdict(text='{"name": "add_numbers", "arguments": {"numbers": [NaN, Infinity]}}').reason is Reason.PARSE_ERROR
    assert _verdict(text='{"name": "add_numbers", "arguments": {"numbers": ["\\ud800"]}}').reason is Reason.PARSE_ERROR
    assert _verdict(text="\ud800 <tool_call>\udfff</tool_call>").reason is Reason.PARSE_ERROR
    assert isinstance(parse_text('[f(x=float("nan"))]'), ParseFailure)
    assert isinstance(parse_text("[f(x=...)]"), ParseFailure)


def test_the_correct_answer_is_ok_through_the_same_path():
    assert _verdict(text='{"name": "add_numbers", "arguments": {"numbers": [1, 2]}}').reason is Reason.OK
