"""Records round-trip losslessly through JSON and convert to external formats."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from distill.records import (
    EvalRecord,
    Fact,
    Gold,
    Pair,
    Reason,
    Sample,
    Task,
    Tool,
    ToolCall,
    Usage,
    Verdict,
    assistant_message,
)

TOOL = Tool("get_weather", "Weather for a city.", {"type": "object", "properties": {"city": {"type": "string"}},
                                                   "required": ["city"]}, domain="weather")
CALL = ToolCall("get_weather", {"city": "Paris", "days": [1, 2], "opts": {"u": None}}, id="call_1")
SAMPLE = Sample("t1", 0, backend="simulated", model="oracle", text="hi", tool_calls=(CALL,),
                usage=Usage(10, 3), latency_s=0.25)
VERDICT = Verdict("t1", 0, Reason.WRONG_VALUE, detail="$.city: expected 'Paris'", calls=(CALL,))
TASK = Task("t1", "simple", "train", ({"role": "user", "content": "Weather in Paris?"},), (TOOL,),
            Gold(calls=(CALL,), acceptable=({"city": ["Paris"]},), facts=(Fact("temp", 21.5, 0.01),), result={"a": 1}),
            meta={"template": 3})
PAIR = Pair("t1", "simple", TASK.messages, assistant_message((CALL,)), assistant_message(text="Sunny."), (TOOL,),
            source="corruption:prose", reason=Reason.NO_CALL, chosen_source="gold")
RECORDS = [TOOL, CALL, SAMPLE, VERDICT, TASK, PAIR, EvalRecord("t1", "simple", "m", SAMPLE, VERDICT),
           Sample("t2", 1, backend="openai", model="m", error="HTTP 500")]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_record_round_trips_through_json(record):
    again = type(record).from_json(record.to_json())
    assert again == record
    assert type(again.to_dict()) is dict
    json.loads(record.to_json())


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=10)


@given(name=st.text(min_size=1), args=st.dictionaries(st.text(), json_values, max_size=4))
def test_any_json_arguments_round_trip(name, args):
    call = ToolCall(name, args)
    assert ToolCall.from_json(call.to_json()) == call


def test_unknown_field_is_a_clear_error():
    with pytest.raises(TypeError, match="unknown field"):
        ToolCall.from_dict({"name": "f", "arguments": {}, "bogus": 1})


def test_tool_converts_to_openai_and_anthropic_forms():
    assert TOOL.to_openai()["function"]["parameters"] == TOOL.parameters
    assert Tool.from_openai(TOOL.to_openai(), domain="weather") == TOOL
    assert TOOL.to_anthropic()["input_schema"] == TOOL.parameters


def test_verdict_is_correct_only_when_reason_is_ok():
    assert Verdict("t", 0, Reason.OK).correct
    assert not VERDICT.correct


def test_gold_without_calls_expects_no_call():
    assert not Gold().expects_call
    assert TASK.gold.expects_call


def test_pair_becomes_a_trl_conversational_preference_row():
    row = PAIR.to_trl_row()
    assert row["prompt"][0]["role"] == "user"
    assert row["chosen"][0]["tool_calls"][0]["function"]["arguments"]["city"] == "Paris"
    assert row["rejected"] == [{"role": "assistant", "content": "Sunny."}]
    assert row["tools"][0]["function"]["name"] == "get_weather"
    assert (row["reason"], row["source"], row["task_id"]) == ("no_call", "corruption:prose", "t1")


def test_bfcl_subtask_names_round_trip_and_granular_ones_have_no_category():
    from distill.records import SUBTASKS, bfcl_category, bfcl_subtask
    from distill.tasks.bfcl import CATEGORIES

    assert all(bfcl_category(bfcl_subtask(c)) == c for c in CATEGORIES)
    assert bfcl_subtask("simple_java") == "bfcl:simple_java"
    assert all(bfcl_category(s) is None for s in SUBTASKS)


def test_a_ref_is_an_object_whose_only_key_is_dollar_ref():
    from distill.records import is_ref

    assert is_ref({"$ref": 0}) and is_ref({"$ref": "x"})  # malformed, but meant as a reference: the sandbox refuses it
    assert not is_ref({"$ref": 0, "note": 1}) and not is_ref({"ref": 0}) and not is_ref("$ref") and not is_ref([0])


def test_first_per_subtask_keeps_the_first_of_each_sub_task_in_order():
    import dataclasses

    from distill.records import first_per_subtask

    tasks = [dataclasses.replace(TASK, id=f"t{i}", subtask=s) for i, s in enumerate("aabacbb")]
    assert [t.id for t in first_per_subtask(tasks, 2)] == ["t0", "t1", "t2", "t4", "t5"]
    assert [t.id for t in first_per_subtask(tasks, 0)] == []
    assert first_per_subtask(iter(tasks), None) == tasks
