"""`make tasks` writes tasks.jsonl, the summary the issue specifies, and a finished manifest."""

import json
import subprocess
import sys

from distill import io
from distill.recipes import compose_config
from distill.recipes.tasks import run
from distill.records import SUBTASKS, Task


def _cfg(tmp_path, *overrides):
    return compose_config("tasks", [f"output_dir={tmp_path}", *overrides])


def test_tasks_recipe_writes_tasks_summary_and_manifest(tmp_path, capsys):
    summary = run(_cfg(tmp_path, "tasks.total=270"))
    assert set(summary["subtasks"]) == set(SUBTASKS)
    assert all(set(c) == {"train", "dev", "test"} for c in summary["subtasks"].values())
    assert summary["tools"] >= 60 and len(summary["heldout_tools"]) >= 0.2 * summary["tools"]
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    assert len(list(io.read_jsonl(tmp_path / "tasks.jsonl", Task))) == 270
    manifest = io.read_manifest(tmp_path)
    assert manifest["status"] == "done" and manifest["counts"]["tasks"] == 270
    assert manifest["config"]["tasks"]["total"] == 270
    assert "parallel" in capsys.readouterr().out


def test_bfcl_task_set_goes_through_the_same_recipe(tmp_path):
    summary = run(_cfg(tmp_path, "tasks=bfcl", "tasks.categories=[simple_python,irrelevance]", "tasks.limit=5"))
    assert summary["subtasks"] == {"bfcl:simple_python": {"train": 0, "dev": 0, "test": 5},
                                   "bfcl:irrelevance": {"train": 0, "dev": 0, "test": 5}}


def test_cli_runs_the_recipe_through_hydra(tmp_path):
    out = subprocess.run([sys.executable, "-m", "distill.cli", "tasks", "tasks.total=90", f"output_dir={tmp_path}/run"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert io.read_manifest(tmp_path / "run")["status"] == "done"


def test_cli_reports_a_broken_config_key(tmp_path):
    out = subprocess.run([sys.executable, "-m", "distill.cli", "tasks", "tasks.weights.bogus=1",
                          f"output_dir={tmp_path}/run"], capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "tasks.weights.bogus" in out.stderr
