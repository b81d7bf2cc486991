"""The measurement scripts under results/ that the results READMEs quote."""

import dataclasses
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "results" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_heldout_split_counts_right_answers_by_the_tool_flag_of_their_test_task(make_tasks):
    heldout = _script("heldout")
    tasks = make_tasks(90)
    test = [t for t in tasks if t.split == "test"][:3]
    held, seen, unflagged = (dataclasses.replace(test[0], meta={**test[0].meta, "heldout_tool": True}),
                             dataclasses.replace(test[1], meta={**test[1].meta, "heldout_tool": False}),
                             dataclasses.replace(test[2], meta={}))
    train = next(t for t in tasks if t.split == "train")
    flags = heldout.heldout_flags([held, seen, unflagged, train])
    assert flags == {held.id: True, seen.id: False, unflagged.id: False}
    outcomes = {held.id: (held.subtask, True), seen.id: (seen.subtask, False), unflagged.id: (unflagged.subtask, True),
                "bfcl/simple_python/0": ("bfcl:simple_python", True)}  # no distill tools: left out
    assert heldout.split_counts(outcomes, flags) == {False: (1, 2), True: (1, 1)}


def test_heldout_split_refuses_answers_to_tasks_the_tasks_run_does_not_have():
    heldout = _script("heldout")
    with pytest.raises(SystemExit, match="simple/test/9"):
        heldout.split_counts({"simple/test/9": ("simple", True)}, {"simple/test/0": True}, "runs/x")
