"""BFCL's AST rules on hand-built cases (see distill/verify/bfcl.py)."""

import pytest

from distill.records import Gold, Reason, Task, Tool, ToolCall
from distill.verify.judge import judge_bfcl
from distill.verify.parse import Parsed

TOOL = Tool("calc.area", "", {"type": "object", "properties": {
    "base": {"type": "integer"}, "height": {"type": "number"}, "unit": {"type": "string"},
    "sides": {"type": "array", "items": {"type": "number"}}, "opts": {"type": "object"}}, "required": ["base", "height"]})
ACCEPTABLE = {"base": [10], "height": [5.0], "unit": ["units", ""], "sides": [[1.0, 2.0], ""],
              "opts": [{"mode": ["fast", ""], "level": [1]}, ""]}


def verdict(*calls, category="simple_python", acceptable=(ACCEPTABLE,), golds=None):
    golds = golds or tuple(ToolCall("calc.area", {"base": 10, "height": 5.0}) for _ in acceptable)
    task = Task("b", f"bfcl:{category}", "test", (), (TOOL,), Gold(calls=golds, acceptable=tuple(acceptable)))
    return judge_bfcl(task, Parsed(tuple(calls), ""))[0]


def call(**args):
    return ToolCall("calc.area", args)


@pytest.mark.parametrize(("args", "reason"), [
    ({"base": 10, "height": 5.0}, Reason.OK),
    ({"base": 10, "height": 5}, Reason.OK),                        # int for float at top level
    ({"base": 10.0, "height": 5.0}, Reason.WRONG_TYPE),            # float for int
    ({"base": "10", "height": 5.0}, Reason.WRONG_TYPE),            # string for int
    ({"base": 10, "height": 5.0, "sides": [1, 2]}, Reason.WRONG_TYPE),    # int for float nested: fails
    ({"base": 10, "height": 5.0, "sides": [1.0, 2.0]}, Reason.OK),
    ({"base": 10, "height": 5.0, "sides": [2.0, 1.0]}, Reason.WRONG_VALUE),  # lists are ordered
    ({"base": 10, "height": 5.0, "unit": " Units."}, Reason.OK),   # string normalization
    ({"base": 10, "height": 5.0, "unit": "cm"}, Reason.WRONG_VALUE),
    ({"base": 10}, Reason.MISSING_ARGUMENT),
    ({"base": 10, "height": 5.0, "color": "red"}, Reason.UNKNOWN_ARGUMENT),
    ({"base": 10, "height": 5.0, "opts": {"level": 1}}, Reason.OK),       # dict key with "" may be omitted
    ({"base": 10, "height": 5.0, "opts": {"mode": "slow", "level": 1}}, Reason.WRONG_VALUE),
    ({"base": True, "height": 5.0}, Reason.WRONG_TYPE),
])
def test_parameter_rules(args, reason):
    assert verdict(call(**args)) is reason


def test_optional_argument_without_empty_option_must_be_present():
    acceptable = {**ACCEPTABLE, "unit": ["units"]}
    assert verdict(call(base=10, height=5.0), acceptable=(acceptable,)) is Reason.MISSING_ARGUMENT


def test_names_match_exactly():
    assert verdict(ToolCall("calc_area", {"base": 10, "height": 5.0})) is Reason.UNKNOWN_FUNCTION


def test_parallel_is_order_free_with_equal_counts():
    a = {**ACCEPTABLE, "base": [1]}
    b = {**ACCEPTABLE, "base": [2]}
    golds = (ToolCall("calc.area", {"base": 1, "height": 5.0}), ToolCall("calc.area", {"base": 2, "height": 5.0}))
    calls = (call(base=2, height=5.0), call(base=1, height=5.0))
    assert verdict(*calls, category="parallel", acceptable=(a, b), golds=golds) is Reason.OK
    assert verdict(*calls, category="simple_python", acceptable=(a, b), golds=golds) is not Reason.OK
    assert verdict(calls[0], category="parallel", acceptable=(a, b), golds=golds) is Reason.WRONG_CALL_COUNT


def test_multiple_needs_exactly_one_call():
    assert verdict(call(base=10, height=5.0), call(base=10, height=5.0), category="multiple") is Reason.WRONG_CALL_COUNT


def test_irrelevance_is_correct_when_no_call_is_made():
    task = Task("b", "bfcl:irrelevance", "test", (), (TOOL,), Gold())
    assert judge_bfcl(task, Parsed((), "I cannot help."))[0] is Reason.OK
    assert judge_bfcl(task, Parsed((call(base=1, height=1.0),), ""))[0] is Reason.UNEXPECTED_CALL
