"""The measurement scripts under results/ that the results READMEs quote."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "results" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_heldout_split_counts_right_answers_by_the_tool_flag_of_their_test_task(tmp_path):
    heldout = _script("heldout")
    _jsonl(tmp_path / "tasks.jsonl", [
        {"id": "simple/test/0", "split": "test", "meta": {"heldout_tool": True}},
        {"id": "simple/test/1", "split": "test", "meta": {"heldout_tool": False}},
        {"id": "simple/test/2", "split": "test", "meta": {}},
        {"id": "simple/train/0", "split": "train", "meta": {"heldout_tool": False}},
    ])
    flags = heldout.heldout_flags(tmp_path)
    assert flags == {"simple/test/0": True, "simple/test/1": False, "simple/test/2": False}
    results = _jsonl(tmp_path / "results.jsonl", [
        {"task_id": "simple/test/0", "verdict": {"reason": "ok"}},
        {"task_id": "simple/test/1", "verdict": {"reason": "wrong_value"}},
        {"task_id": "simple/test/2", "verdict": {"reason": "ok"}},
        {"task_id": "bfcl:simple_python/0", "verdict": {"reason": "ok"}},  # no distill tools: left out
    ])
    assert heldout.split_counts(results, flags) == {False: (1, 2), True: (1, 1)}


def test_heldout_split_refuses_answers_to_tasks_the_tasks_run_does_not_have(tmp_path):
    heldout = _script("heldout")
    results = _jsonl(tmp_path / "results.jsonl", [{"task_id": "simple/test/9", "verdict": {"reason": "ok"}}])
    with pytest.raises(SystemExit, match="simple/test/9"):
        heldout.split_counts(results, {"simple/test/0": True})
