"""The BFCL importer reads every line of every supported category into Tasks with JSON-Schema tools."""

import pytest

from distill.assets import bfcl_data_dir
from distill.tasks.bfcl import (
    CATEGORIES,
    NO_CALL_CATEGORIES,
    RELEVANCE_CATEGORIES,
    BfclSet,
    load_category,
    to_json_schema,
)


def _lines(path):
    return sum(1 for line in open(path, encoding="utf-8") if line.strip())


@pytest.mark.parametrize("category", CATEGORIES)
def test_task_count_equals_the_file_line_count(category):
    tasks = list(load_category(category))
    assert len(tasks) == _lines(bfcl_data_dir() / f"BFCL_v4_{category}.json")
    assert all(t.split == "test" and t.subtask == f"bfcl:{category}" for t in tasks)
    if category in NO_CALL_CATEGORIES | RELEVANCE_CATEGORIES:
        assert not any(t.gold.calls for t in tasks)
    else:
        assert all(len(t.gold.calls) == len(t.gold.acceptable) >= 1 for t in tasks)


def test_bfcl_types_map_to_json_schema():
    spec = {"type": "dict", "properties": {"x": {"type": "float"}, "t": {"type": "tuple", "items": {"type": "integer"}},
                                           "a": {"type": "any"}, "d": {"type": "dict", "properties": {}}},
            "required": ["x"]}
    schema = to_json_schema(spec)
    assert schema["type"] == "object"
    assert schema["properties"]["x"] == {"type": "number"}
    assert schema["properties"]["t"] == {"type": "array", "items": {"type": "integer"}}
    assert schema["properties"]["a"] == {}
    assert schema["properties"]["d"]["type"] == "object"


def test_canonical_call_skips_optional_arguments_and_keeps_acceptable_sets():
    task = next(load_category("simple_python"))
    assert task.gold.calls[0].arguments == {"base": 10, "height": 5, "unit": "units"}
    assert task.gold.acceptable[0]["unit"] == ["units", ""]


def test_unknown_category_is_rejected_by_name():
    with pytest.raises(ValueError, match="bogus"):
        BfclSet("bfcl", categories=("bogus",))


@pytest.mark.parametrize("category", ["multi_turn_base", "memory", "web_search", "format_sensitivity"])
def test_a_category_distill_cannot_score_is_refused_with_the_reason(category):
    with pytest.raises(ValueError, match=f"BFCL category '{category}' is not supported: "):
        list(load_category(category))
    with pytest.raises(ValueError, match="tasks.categories"):
        BfclSet("x", (category,))


def test_live_relevance_is_correct_when_any_call_is_made():
    from distill.records import ToolCall
    from distill.verify.judge import judge_bfcl
    from distill.verify.parse import Parsed

    task = next(iter(load_category("live_relevance")))
    call = ToolCall(task.tools[0].name, {})
    assert judge_bfcl(task, Parsed((call,), ""))[0].value == "ok"
    assert judge_bfcl(task, Parsed((), "I would search for it."))[0].value == "no_call"


@pytest.mark.parametrize(("category", "code", "plain"), [
    ("simple_java", {"force": "true"}, {"force": True}),
    ("simple_javascript", None, None),
])
def test_java_and_javascript_values_are_strings_of_code_converted_by_bfcls_converters(category, code, plain):
    from distill.records import ToolCall
    from distill.verify.judge import judge_bfcl
    from distill.verify.parse import Parsed

    tasks = list(load_category(category))
    assert all(all(p.get("type") == "string" and "x-bfcl-type" in p
                   for p in t.tools[0].parameters["properties"].values()) for t in tasks)
    if code is None:
        return
    task = next(t for t in tasks if t.id.endswith("_7"))  # EFSNIOResource.copy(destination, force, monitor)
    gold = task.gold.calls[0]
    strings = {k: v for k, v in gold.arguments.items() if isinstance(v, str)}
    assert judge_bfcl(task, Parsed((ToolCall(gold.name, {**strings, **code}),), ""))[0].value == "ok"
    assert judge_bfcl(task, Parsed((ToolCall(gold.name, {**strings, **plain}),), ""))[0].value == "wrong_type"
