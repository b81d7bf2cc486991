"""Generated tasks are correct by construction: gold calls validate and execute, chains and nests
reproduce their results, facts equal executed values, and the splits hold tools and templates out."""

import json
from collections import Counter

import jsonschema
import pytest

from distill import io
from distill.records import SPLITS, SUBTASKS, Task, is_ref
from distill.tasks.base import ToolPool, execute, generator, instruction_of
from distill.tasks.mixture import Mixture
from distill.tasks.response_generation import facts_of
from distill.tools import registry, tool_schema

WEIGHTS = dict.fromkeys(SUBTASKS, 1.0)
INSTRUCTIONS = {s: instruction_of(s) for s in SUBTASKS}


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return list(Mixture("granular", WEIGHTS, total=1800).generate(seed=0))


def _earlier_calls(task):
    return [c for m in task.messages if m.get("tool_calls") for c in m["tool_calls"]]


def test_every_subtask_has_tasks_in_every_split(tasks):
    counts = Counter((t.subtask, t.split) for t in tasks)
    assert {(s, p) for s in SUBTASKS for p in SPLITS} <= set(counts)
    assert len(tasks) == 1800
    assert len({t.id for t in tasks}) == len(tasks)


def test_every_gold_call_validates_against_its_schema_and_executes(tasks):
    for task in tasks:
        listed = {t.name for t in task.tools}
        for call in task.gold.calls:
            assert call.name in listed, task.id
            args = {k: v for k, v in call.arguments.items() if not is_ref(v)}
            schema = dict(tool_schema(call.name).parameters)
            schema["required"] = [r for r in schema.get("required", []) if r in args or r not in call.arguments]
            jsonschema.Draft202012Validator(schema).validate(args)
        if task.gold.calls:
            prefix = [_to_call(c) for c in _earlier_calls(task)] if task.subtask == "chaining" else []
            execute(prefix + list(task.gold.calls))


def _to_call(entry):
    from distill.records import ToolCall

    return ToolCall(entry["function"]["name"], entry["function"]["arguments"])


def test_chaining_and_nested_golds_reproduce_the_expected_result(tasks):
    checked = Counter()
    for task in tasks:
        if task.subtask == "chaining":
            results = execute([_to_call(c) for c in _earlier_calls(task)] + list(task.gold.calls))
        elif task.subtask == "nested":
            assert task.gold.ordered and is_ref(task.gold.calls[1].arguments[_ref_param(task)])
            results = execute(list(task.gold.calls))
        else:
            continue
        assert results[-1] == task.gold.result, task.id
        checked[task.subtask] += 1
    assert checked["chaining"] > 0 and checked["nested"] > 0


def _ref_param(task):
    return next(k for k, v in task.gold.calls[1].arguments.items() if is_ref(v))


def test_chaining_prompt_holds_the_first_result_that_the_gold_uses(tasks):
    for task in (t for t in tasks if t.subtask == "chaining"):
        assert [m["role"] for m in task.messages[-2:]] == ["assistant", "tool"]
        result = json.loads(task.messages[-1]["content"])
        gold_values = json.dumps(task.gold.calls[0].arguments, sort_keys=True)
        assert any(json.dumps(v, sort_keys=True) in gold_values for v in _leaves(result)), task.id


def _leaves(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


def test_response_generation_facts_equal_the_executed_results(tasks):
    for task in (t for t in tasks if t.subtask == "response_generation"):
        assert not task.gold.calls and task.gold.facts
        (result,) = execute([_to_call(c) for c in _earlier_calls(task)])
        assert json.loads(task.messages[-1]["content"]) == result
        assert tuple(facts_of(result)) == task.gold.facts


def test_irrelevance_tasks_expect_no_call_and_list_no_fitting_tool(tasks):
    for task in (t for t in tasks if t.subtask == "irrelevance"):
        assert not task.gold.expects_call and not task.gold.facts
        if task.meta["shape"] == "no_tool_fits":
            asked = task.meta["templates"][0].split("#")[0]
            domain = registry().tools[asked].domain
            assert all(t.domain != domain for t in task.tools), task.id


def test_next_best_never_lists_a_working_primary(tasks):
    for task in (t for t in tasks if t.subtask == "next_best"):
        primary = task.meta["templates"][0].split("#")[0]
        listed = {t.name for t in task.tools}
        if task.meta["shape"] == "unavailable":
            assert primary not in listed
        else:
            assert "error" in json.loads(task.messages[-1]["content"])
        assert task.gold.calls[0].name != primary


def test_name_detection_lists_3_to_8_distractors(tasks):
    for task in (t for t in tasks if t.subtask == "name_detection"):
        assert 3 <= len(task.tools) - len({c.name for c in task.gold.calls}) <= 8


def test_parallel_calls_are_distinct_and_order_free(tasks):
    for task in (t for t in tasks if t.subtask == "parallel"):
        assert 2 <= len(task.gold.calls) <= 4 and not task.gold.ordered
        assert len({c.to_json() for c in task.gold.calls}) == len(task.gold.calls)


def test_heldout_tools_never_appear_in_train_or_dev(tasks):
    heldout = ToolPool(0).heldout_tools
    assert len(heldout) >= 0.2 * len(registry().tools)
    for task in tasks:
        if task.split != "test":
            assert not {t.name for t in task.tools} & heldout, task.id
    test_gold = {c.name for t in tasks if t.split == "test" for c in t.gold.calls}
    assert test_gold & heldout


def test_test_split_uses_only_heldout_templates(tasks):
    seen = {(t.split, tpl) for t in tasks for tpl in t.meta.get("templates", [])}
    train = {tpl for split, tpl in seen if split == "train"}
    test = {tpl for split, tpl in seen if split == "test"}
    assert train and test and not train & test


def test_same_seed_gives_byte_identical_jsonl(tmp_path):
    mixture = Mixture("granular", WEIGHTS, total=300)
    io.write_jsonl(tmp_path / "a.jsonl", mixture.generate(seed=3))
    io.write_jsonl(tmp_path / "b.jsonl", mixture.generate(seed=3))
    io.write_jsonl(tmp_path / "c.jsonl", mixture.generate(seed=4))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "c.jsonl").read_bytes()


def test_empty_instruction_keeps_the_gold_and_drops_the_instruction():
    granular = list(Mixture("granular", WEIGHTS, total=180).generate(seed=0))
    ablated = list(Mixture("ablated", WEIGHTS, total=180, instruction="empty").generate(seed=0))
    assert [t.gold for t in granular] == [t.gold for t in ablated]
    assert [t.messages[1:] for t in granular] == [t.messages[1:] for t in ablated]
    for g, u in zip(granular, ablated, strict=True):
        assert INSTRUCTIONS[g.subtask] in g.messages[0]["content"]
        assert not any(i in u.messages[0]["content"] for i in INSTRUCTIONS.values())


def test_umbrella_is_end_to_end_calls_only_at_the_granular_budget():
    from distill.recipes import build, compose_config

    granular = build(compose_config("tasks").tasks)
    umbrella = build(compose_config("tasks", ["tasks=umbrella"]).tasks)
    assert umbrella.total == granular.total
    tasks = list(Mixture(umbrella.name, umbrella.weights, total=200, instruction=umbrella.instruction).generate(seed=0))
    assert {t.subtask for t in tasks} == {"simple", "parallel", "chaining", "nested"}
    assert all(t.gold.expects_call for t in tasks)  # no irrelevance, no answer in words
    assert not any(i in t.messages[0]["content"] for t in tasks for i in INSTRUCTIONS.values())
    # A task with the same id is the same request and gold as in granular: only the mixture differs.
    same = {t.id: t for t in Mixture("g", WEIGHTS, total=450).generate(seed=0)}
    shared = [t for t in tasks if t.id in same]
    assert shared and all(t.gold == same[t.id].gold and t.messages[1:] == same[t.id].messages[1:] for t in shared)


def test_wrong_instruction_names_another_subtask():
    for task in Mixture("wrong", WEIGHTS, total=90, instruction="wrong").generate(seed=0):
        system = task.messages[0]["content"]
        assert INSTRUCTIONS[task.subtask] not in system
        assert any(i in system for i in INSTRUCTIONS.values())


def test_budget_sums_to_total_and_follows_weights():
    mixture = Mixture("m", {"simple": 3.0, "parallel": 1.0}, total=101)
    budgets = mixture.budgets()
    assert sum(budgets.values()) == 101
    simple = sum(n for (s, _), n in budgets.items() if s == "simple")
    assert simple == pytest.approx(75.75, abs=3)  # one rounding per split cell


def test_unknown_subtask_weight_names_the_key():
    with pytest.raises(ValueError, match="tasks.weights.bogus"):
        Mixture("m", {"bogus": 1.0}, total=10)


def test_every_subtask_is_one_module_with_its_instruction_and_generator():
    for subtask in SUBTASKS:
        module = generator(subtask)
        assert module.__name__ == f"distill.tasks.{subtask}"
        assert callable(module.generate) and module.INSTRUCTION.startswith("Sub-task: ")
    assert len(set(INSTRUCTIONS.values())) == len(SUBTASKS)
    with pytest.raises(ValueError, match="unknown sub-task 'bfcl:simple_python'"):
        generator("bfcl:simple_python")


def test_the_granular_config_weights_every_subtask_equally():
    from distill.recipes import compose_config

    assert dict(compose_config("tasks").tasks.weights) == WEIGHTS
