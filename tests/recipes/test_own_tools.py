"""Bring your own tools, as a user would: a tools run made once is the interface of pairs, dpo and eval
(whatever seed they are given), for a Python module, an OpenAPI service and an MCP server."""

import importlib.util
import os
from pathlib import Path

import pytest

from distill import io
from distill.recipes import compose_config
from distill.recipes import dpo as dpo_recipe
from distill.recipes import eval as eval_recipe
from distill.recipes import pairs as pairs_recipe
from distill.recipes import tasks as tasks_recipe
from distill.records import EvalRecord

GARDEN = ["tools=python", "tools.module=examples/python/garden.py"]
TINY = ["student=tiny-random", "max_pairs=8", "max_pair_tokens=null", "eval.per_subtask=1", "eval.max_tokens=8",
        "dpo.args.per_device_train_batch_size=4", "sft_warmup=false"]


@pytest.fixture(scope="module")
def garden_tasks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("garden")
    tasks_recipe.run(compose_config("tasks", [*GARDEN, "tasks.total=180", "seed=0", f"output_dir={tmp}/tasks",
                                              f"cache.path={tmp}/c.sqlite"]))
    return tmp / "tasks"


def test_a_python_module_gets_a_tasks_run_with_drop_counts_per_check(garden_tasks):
    summary = io.read_json(garden_tasks / "summary.json")
    assert summary["toolset"]["name"] == "python" and summary["toolset"]["executable"]
    assert set(summary["written"]["dropped"]) == {"schema", "execution", "format", "semantic"}
    assert len(summary["subtasks"]) == 9
    assert io.read_manifest(garden_tasks)["tools"]["fingerprint"] == summary["toolset"]["fingerprint"]


def test_pairs_and_eval_use_the_tasks_run_whatever_seed_they_are_given(garden_tasks, tmp_path):
    made = {t.id: t for t in io.read_tasks(garden_tasks)}
    pairs_recipe.run(compose_config("pairs", [*GARDEN, f"tasks_run={garden_tasks}", "seed=7",
                                              f"output_dir={tmp_path}/pairs", f"cache.path={tmp_path}/c.sqlite"]))
    assert {t.id: t for t in io.read_tasks(tmp_path / "pairs")} == made
    assert io.read_manifest(tmp_path / "pairs")["tasks"]["tasks_run"] == str(garden_tasks)
    eval_recipe.run(compose_config("eval", [*GARDEN, f"tasks_run={garden_tasks}", "seed=3", "target=teacher",
                                            f"output_dir={tmp_path}/eval", f"cache.path={tmp_path}/c.sqlite"]))
    results = list(io.read_jsonl(tmp_path / "eval" / "results.jsonl", EvalRecord))
    assert {r.task_id for r in results} == {t.id for t in made.values() if t.split == "test"}


def test_dpo_trains_on_pairs_of_a_python_module_and_checks_its_tools(garden_tasks, tmp_path):
    pairs_recipe.run(compose_config("pairs", [*GARDEN, f"tasks_run={garden_tasks}", f"output_dir={tmp_path}/pairs",
                                              f"cache.path={tmp_path}/c.sqlite"]))
    with pytest.raises(ValueError, match="which tools=library does not have"):
        dpo_recipe.run(compose_config("dpo", [f"pairs_run={tmp_path}/pairs", f"output_dir={tmp_path}/bad", *TINY]))
    dpo_recipe.run(compose_config("dpo", [*GARDEN, f"pairs_run={tmp_path}/pairs", f"output_dir={tmp_path}/dpo",
                                          *TINY]))
    assert (tmp_path / "dpo" / "model").is_dir()
    assert io.read_manifest(tmp_path / "dpo")["tasks"]["tasks_run"] == str(garden_tasks)


def test_tools_without_templates_need_a_tasks_run_and_other_tools_are_refused(garden_tasks, tmp_path):
    with pytest.raises(ValueError, match="no templates, so their tasks are written by a model first"):
        pairs_recipe.run(compose_config("pairs", [*GARDEN, f"output_dir={tmp_path}/p"]))
    with pytest.raises(ValueError, match="which tools=library does not have"):
        eval_recipe.run(compose_config("eval", [f"tasks_run={garden_tasks}", "target=teacher",
                                                f"output_dir={tmp_path}/e"]))


def test_without_a_tasks_run_the_library_tasks_become_one_and_are_reused(tmp_path):
    overrides = ["tasks.total=180", "target=teacher", "limit_per_subtask=1", f"cache.path={tmp_path}/c.sqlite"]
    eval_recipe.run(compose_config("eval", [*overrides, f"output_dir={tmp_path}/e1"]))
    used = Path(io.read_manifest(tmp_path / "e1")["tasks"]["tasks_run"])
    assert used.parent == Path(os.environ["DISTILL_TASKS_ROOT"]) and used.name.startswith("auto-")
    stamp = (used / "tasks.jsonl").stat().st_mtime_ns
    eval_recipe.run(compose_config("eval", [*overrides, f"output_dir={tmp_path}/e2"]))
    assert io.read_manifest(tmp_path / "e2")["tasks"]["tasks_run"] == str(used)
    assert (used / "tasks.jsonl").stat().st_mtime_ns == stamp


def _openapi_server():
    spec = importlib.util.spec_from_file_location("library_server", "examples/openapi/server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_openapi_service_on_loopback_gets_executed_tasks(tmp_path):
    with _openapi_server().running() as url:
        summary = tasks_recipe.run(compose_config("tasks", [
            "tools=openapi", "tools.spec=examples/openapi/library.yaml", f"tools.base_url={url}", "tasks.total=90",
            f"output_dir={tmp_path}/tasks", f"cache.path={tmp_path}/c.sqlite"]))
    assert summary["toolset"]["executable"] and summary["written"]["examples"]
    assert {"simple", "response_generation"} <= set(summary["subtasks"])


def test_an_mcp_server_started_as_a_subprocess_gets_executed_tasks(tmp_path):
    summary = tasks_recipe.run(compose_config("tasks", [
        "tools=mcp", "tools.command=[python,examples/mcp/server.py]", "tasks.total=90",
        f"output_dir={tmp_path}/tasks", f"cache.path={tmp_path}/c.sqlite"]))
    assert summary["toolset"]["name"] == "mcp" and summary["toolset"]["tools"] >= 5
    assert {"simple", "parallel", "response_generation"} <= set(summary["subtasks"])
