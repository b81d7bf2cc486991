"""The python and schemas tool sources: schemas from a user's module or file, execution in the sandbox
(python) or none at all (schemas: verdicts by values, said in the detail)."""

import json

import pytest

from distill.records import Gold, Reason, Sample, Task, ToolCall
from distill.toolsets import NoExecution, check_tools, fingerprint, open_executor
from distill.toolsets.python import PythonTools
from distill.toolsets.schemas import SchemaTools
from distill.verify import VerifyConfig, label_samples
from distill.verify.sandbox import Program

GARDEN = "examples/python/garden.py"
SCHEMAS = "tests/assets/tools/openai_tools.json"


def test_python_tools_are_the_public_functions_with_their_defaults():
    tools = {t.name: t for t in PythonTools(GARDEN).tools()}
    assert "plan_bed" in tools and "_date" not in tools and "reset" not in tools
    props = tools["estimate_harvest_date"].parameters["properties"]
    assert props["climate"]["enum"] == ["cool", "temperate", "warm"] and props["climate"]["default"] == "temperate"
    assert tools["plan_bed"].parameters["required"] == ["plant", "bed_length_cm", "bed_width_cm"]


def test_python_tools_name_the_key_for_a_missing_module_and_a_function_without_docstring(tmp_path):
    with pytest.raises(ValueError, match="tools.module=nope/tools.py: no such file"):
        PythonTools("nope/tools.py").tools()
    bad = tmp_path / "bad_tools.py"
    bad.write_text("def undocumented(x: int) -> int:\n    return x\n")
    with pytest.raises(ValueError, match="undocumented needs type hints and a Google-style docstring"):
        PythonTools(str(bad)).tools()
    with pytest.raises(ValueError, match="tools.functions: missing_one not found"):
        PythonTools(GARDEN, functions=("missing_one",)).tools()


def test_python_tools_execute_in_the_sandbox_and_only_the_listed_functions():
    toolset = PythonTools(GARDEN, functions=("bed_area", "water_needed"))
    assert [t.name for t in toolset.tools()] == ["bed_area", "water_needed"]
    with open_executor(toolset, VerifyConfig(workers=1)) as executor:
        nested, refused, failing = executor.run([
            Program((ToolCall("bed_area", {"bed_length_cm": 200, "bed_width_cm": 100}),
                     ToolCall("water_needed", {"area_m2": {"$ref": 0}, "weather": "dry"}))),
            Program((ToolCall("plan_bed", {"plant": "tomato", "bed_length_cm": 1, "bed_width_cm": 1}),)),
            Program((ToolCall("bed_area", {"bed_length_cm": -1, "bed_width_cm": 1}),)),
        ])
    assert nested.status == "ok" and nested.results == (2.0, 75.0)
    assert refused.status == "error" and "unknown tool 'plan_bed'" in refused.error
    assert failing.status == "error" and "must be positive" in failing.error


def test_schema_tools_read_openai_and_bfcl_formats_and_never_execute():
    toolset = SchemaTools(SCHEMAS)
    tools = {t.name: t for t in toolset.tools()}
    assert sorted(tools) == ["book_table", "cancel_booking", "find_restaurant", "rate_restaurant"]
    assert tools["rate_restaurant"].parameters["type"] == "object"  # BFCL's "dict", converted
    assert not toolset.executable and isinstance(open_executor(toolset, VerifyConfig()), NoExecution)
    with pytest.raises(RuntimeError, match="schema-only"):
        NoExecution().run([Program((ToolCall("book_table", {}),))])


def test_schema_tools_name_the_broken_entry(tmp_path):
    path = tmp_path / "tools.jsonl"
    path.write_text(json.dumps({"name": "ok", "parameters": {"type": "object", "properties": {}}}) + "\n"
                    + json.dumps({"name": "broken", "parameters": {"type": "object", "required": 3}}) + "\n")
    with pytest.raises(ValueError, match=r"tool 1 \(broken\): parameters are not a valid JSON Schema"):
        SchemaTools(str(path)).tools()
    with pytest.raises(ValueError, match="no such file"):
        SchemaTools(str(tmp_path / "absent.json")).tools()


def _task(tools, call):
    return Task("simple/test/000000", "simple", "test", ({"role": "user", "content": "Book Chez Anna for 2 at 19:00"},),
                tuple(tools), Gold(calls=(call,)))


def test_schema_only_verdicts_come_from_identical_values_and_say_they_were_not_executed():
    tools = SchemaTools(SCHEMAS).tools()
    gold = ToolCall("book_table", {"restaurant": "Chez Anna", "people": 2, "time": "19:00"})
    task = _task(tools, gold)
    answers = [gold, ToolCall("book_table", {**gold.arguments, "restaurant": "CHEZ ANNA"}),
               ToolCall("book_table", {**gold.arguments, "people": 3})]
    samples = [Sample(task.id, i, "test", "m", tool_calls=(c,)) for i, c in enumerate(answers)]
    right, differently, wrong = label_samples([task], samples, VerifyConfig(), NoExecution())
    assert right.reason == Reason.OK and "not executed" in right.detail
    assert differently.reason == Reason.WRONG_VALUE and "was not executed" in differently.detail
    assert wrong.reason == Reason.WRONG_VALUE and "people" in wrong.detail


def test_a_python_tools_default_lets_an_answer_omit_the_argument():
    tools = PythonTools(GARDEN).tools()
    gold = ToolCall("estimate_harvest_date", {"plant": "bean", "sowing_date": "2025-04-01", "climate": "temperate"})
    task = _task(tools, gold)
    omitted = ToolCall("estimate_harvest_date", {"plant": "bean", "sowing_date": "2025-04-01"})
    with open_executor(PythonTools(GARDEN), VerifyConfig(workers=1)) as executor:
        (verdict,) = label_samples([task], [Sample(task.id, 0, "t", "m", tool_calls=(omitted,))], VerifyConfig(),
                                   executor)
    assert verdict.reason == Reason.OK


def test_check_tools_names_a_tool_the_source_lacks_or_that_changed():
    tools = SchemaTools(SCHEMAS).tools()
    task = _task(tools, ToolCall("book_table", {}))
    check_tools([task], SchemaTools(SCHEMAS), "here")
    with pytest.raises(ValueError, match="lists the tool 'book_table', which tools=python does not have"):
        check_tools([task], PythonTools(GARDEN), "here")
    assert fingerprint(tools) != fingerprint(tools[1:])
