"""The judge: gold answers pass on every sub-task; each kind of wrong answer gets its own reason."""

import dataclasses
import json

import pytest

from distill.records import Fact, Gold, Reason, Sample, Task, ToolCall
from distill.tasks.base import schemas
from distill.verify import VerifyConfig, judge_samples, label_samples
from distill.verify.judge import perfect_matching


@pytest.fixture(scope="module")
def tasks(make_tasks):
    return make_tasks(540, seed=1)


def gold_sample(task, index=0, as_text=False):
    if task.gold.calls:
        if as_text:
            body = json.dumps([{"name": c.name, "arguments": c.arguments} for c in task.gold.calls])
            return Sample(task.id, index, "test", "gold", text=f"<tool_call>{body}</tool_call>")
        return Sample(task.id, index, "test", "gold", tool_calls=task.gold.calls)
    if task.gold.facts:
        return Sample(task.id, index, "test", "gold", text="; ".join(f"{f.name} is {f.value}" for f in task.gold.facts))
    return Sample(task.id, index, "test", "gold", text="I can't do that with these tools. Could you tell me more?")


def judge(sandbox, task, **output):
    (verdict,) = label_samples([task], [Sample(task.id, 0, "test", "m", **output)], sandbox=sandbox)
    return verdict


@pytest.mark.parametrize("as_text", [False, True], ids=["native", "hermes-text"])
def test_gold_answers_are_ok_on_every_subtask(tasks, sandbox, as_text):
    verdicts = list(label_samples(tasks, [gold_sample(t, as_text=as_text) for t in tasks], sandbox=sandbox))
    bad = [(v.task_id, v.reason, v.detail) for v in verdicts if not v.correct]
    assert not bad, bad[:5]
    assert len(verdicts) == len(tasks)


def _one(tasks, subtask, where=lambda t: True):
    return next(t for t in tasks if t.subtask == subtask and where(t))


def _with(call, **changes):
    return ToolCall(changes.pop("name", call.name), {**call.arguments, **changes})


def _task(name, arguments, subtask="simple", **gold):
    return Task("t", subtask, "test", ({"role": "user", "content": "x"},), tuple(schemas([name, "get_city_country"])),
                Gold(calls=(ToolCall(name, arguments),), **gold))


def test_each_fault_gets_its_own_reason(sandbox):
    temp = _task("get_temperature", {"city": "Paris", "date": "2025-03-01", "units": "fahrenheit"})
    cases = {
        Reason.WRONG_FUNCTION: ToolCall("get_city_country", {"city": "Paris"}),
        Reason.UNKNOWN_FUNCTION: ToolCall("get_weather_now", {"city": "Paris"}),
        Reason.MISSING_ARGUMENT: ToolCall("get_temperature", {"city": "Paris"}),
        Reason.UNKNOWN_ARGUMENT: ToolCall("get_temperature", {"city": "Paris", "date": "2025-03-01", "zip": 1}),
        Reason.WRONG_TYPE: ToolCall("get_temperature", {"city": 75001, "date": "2025-03-01"}),
        Reason.ENUM_VIOLATION: ToolCall("get_temperature", {"city": "Paris", "date": "2025-03-01", "units": "rankine"}),
        Reason.WRONG_VALUE: ToolCall("get_temperature", {"city": "London", "date": "2025-03-01", "units": "fahrenheit"}),
        Reason.EXEC_ERROR: ToolCall("get_temperature", {"city": "Atlantis", "date": "2025-03-01", "units": "fahrenheit"}),
    }
    for reason, call in cases.items():
        verdict = judge(sandbox, temp, tool_calls=(call,))
        assert verdict.reason is reason, (reason, verdict)
        assert verdict.detail
    assert judge(sandbox, temp, text="It will be mild.").reason is Reason.NO_CALL
    assert judge(sandbox, temp, text="<tool_call>{oops</tool_call>").reason is Reason.PARSE_ERROR
    two = (temp.gold.calls[0], temp.gold.calls[0])
    assert judge(sandbox, temp, tool_calls=two).reason is Reason.WRONG_CALL_COUNT


def test_optional_argument_equal_to_its_default_may_be_omitted(sandbox):
    task = _task("get_temperature", {"city": "Paris", "date": "2025-03-01"})
    explicit = ToolCall("get_temperature", {"city": "Paris", "date": "2025-03-01", "units": "celsius"})
    assert judge(sandbox, task, tool_calls=(explicit,)).correct
    stated = _task("get_temperature", {"city": "Paris", "date": "2025-03-01", "units": "fahrenheit"})
    omitted = ToolCall("get_temperature", {"city": "Paris", "date": "2025-03-01"})
    assert judge(sandbox, stated, tool_calls=(omitted,)).reason is Reason.MISSING_ARGUMENT


def test_a_list_in_another_order_is_equivalent_when_the_result_is_the_same(sandbox):
    task = _task("mean_of_numbers", {"numbers": [1.0, 2.0, 6.0]})
    assert judge(sandbox, task, tool_calls=(ToolCall("mean_of_numbers", {"numbers": [6.0, 1.0, 2.0]}),)).correct
    assert judge(sandbox, task, tool_calls=(ToolCall("mean_of_numbers", {"numbers": [6.0, 1.0]}),)).reason \
        is Reason.WRONG_VALUE


def test_a_normalized_string_passes_only_when_the_tool_accepts_it(sandbox):
    task = _task("get_city_country", {"city": "New York"})
    assert judge(sandbox, task, tool_calls=(ToolCall("get_city_country", {"city": "NEW YORK"}),)).correct
    for variant in ("new-york", "New York./", "new_york"):  # BFCL's normalization calls these equal
        verdict = judge(sandbox, task, tool_calls=(ToolCall("get_city_country", {"city": variant}),))
        assert verdict.reason is Reason.EXEC_ERROR, (variant, verdict)


def test_a_different_value_with_the_same_result_is_not_correct(sandbox):
    task = _task("is_palindrome", {"text": "racecar"})
    verdict = judge(sandbox, task, tool_calls=(ToolCall("is_palindrome", {"text": "x"}),))
    assert verdict.reason is Reason.WRONG_VALUE, verdict


def test_nan_and_infinity_are_not_values(sandbox):
    task = _task("add_numbers", {"numbers": [1.0, 2.0]})
    for bad in (float("nan"), float("inf")):
        verdict = judge(sandbox, task, tool_calls=(ToolCall("add_numbers", {"numbers": [1.0, bad]}),))
        assert verdict.reason is Reason.PARSE_ERROR, verdict


def test_ints_equal_floats(sandbox):
    task = _task("add_numbers", {"numbers": [1.0, 2.0]})
    assert judge(sandbox, task, tool_calls=(ToolCall("add_numbers", {"numbers": [1, 2]}),)).correct


def test_parallel_calls_match_in_any_order(tasks, sandbox):
    task = _one(tasks, "parallel", lambda t: len({c.name for c in t.gold.calls}) > 1)
    assert judge(sandbox, task, tool_calls=tuple(reversed(task.gold.calls))).correct
    assert judge(sandbox, task, tool_calls=task.gold.calls[:-1]).reason is Reason.WRONG_CALL_COUNT
    extra = (*task.gold.calls, task.gold.calls[0])
    assert judge(sandbox, task, tool_calls=extra).reason is Reason.WRONG_CALL_COUNT


def test_matching_is_optimal_not_greedy():
    # Greedy would give row 0 column 0 and leave row 1 unmatched.
    assert perfect_matching([[True, True], [True, False]]) == [1, 0]
    assert perfect_matching([[True, False], [True, False]]) is None


def test_nested_order_and_result(tasks, sandbox):
    task = _one(tasks, "nested")
    first, second = task.gold.calls
    assert judge(sandbox, task, tool_calls=(second, first)).reason is Reason.WRONG_ORDER
    bad_ref = _with(second, **{k: {"$ref": 5} for k, v in second.arguments.items() if isinstance(v, dict)})
    assert judge(sandbox, task, tool_calls=(first, bad_ref)).reason is Reason.EXEC_ERROR


def test_chaining_is_judged_by_its_values_and_the_executed_result(tasks, sandbox):
    task = _one(tasks, "chaining", lambda t: isinstance(t.gold.result, int | float | dict))
    assert judge(sandbox, task, tool_calls=task.gold.calls).correct
    call = task.gold.calls[0]
    key, value = next((k, v) for k, v in call.arguments.items() if isinstance(v, int | float) and not isinstance(v, bool))
    changed = _with(call, **{key: value + 1 if isinstance(value, int) else value * 1.5 + 1})
    assert judge(sandbox, task, tool_calls=(changed,)).reason in (Reason.WRONG_VALUE, Reason.EXEC_ERROR)
    other_result = dataclasses.replace(task, gold=dataclasses.replace(task.gold, result=-12345.5))
    assert judge(sandbox, other_result, tool_calls=task.gold.calls).reason is Reason.WRONG_RESULT


def test_irrelevance_and_response_generation(tasks, sandbox):
    irrelevant = _one(tasks, "irrelevance")
    call = ToolCall(irrelevant.tools[0].name, {})
    assert judge(sandbox, irrelevant, tool_calls=(call,)).reason is Reason.UNEXPECTED_CALL
    response = Task("r", "response_generation", "test", (), (), Gold(facts=(Fact("total", 1234.5, 0.01),
                                                                              Fact("city", "New York"))))
    assert judge(sandbox, response, text="The total is 1,234.50 for new york.").correct
    assert judge(sandbox, response, text="In New York it comes to about 1234.").correct
    assert judge(sandbox, response, text="The total is 1,300 in New York.").reason is Reason.MISSING_FACT
    assert judge(sandbox, response, text="The total is 1234.5.").reason is Reason.MISSING_FACT


def test_name_detection_grades_names_only(tasks, sandbox):
    task = _one(tasks, "name_detection", lambda t: len(t.gold.calls) == 1)
    call = task.gold.calls[0]
    assert judge(sandbox, task, tool_calls=(ToolCall(call.name, {}),)).correct
    other = next(t.name for t in task.tools if t.name != call.name)
    assert judge(sandbox, task, tool_calls=(ToolCall(other, {}),)).reason is Reason.WRONG_FUNCTION


def test_failed_requests_are_skipped_not_judged(tasks, sandbox):
    task = tasks[0]
    samples = [Sample(task.id, 0, "t", "m", error="HTTP 500"), gold_sample(task, 1)]
    assert [v.sample_index for v in label_samples(tasks, samples, VerifyConfig(), sandbox=sandbox)] == [1]


def test_judged_samples_are_grouped_per_task_in_index_order(tasks, sandbox, caplog):
    first, second = tasks[0], tasks[1]
    samples = [gold_sample(first, 2), Sample(first.id, 0, "t", "m", error="HTTP 500"), gold_sample(second, 0),
               Sample(first.id, 1, "t", "m", text="no idea")]
    judged = judge_samples([first, second], samples, VerifyConfig(), sandbox)
    assert [(s.index, v.correct) for s, v in judged[first.id]] == [(1, False), (2, True)]
    assert [s.index for s, _ in judged[second.id]] == [0]
    assert "1 requests failed for good" in caplog.text
