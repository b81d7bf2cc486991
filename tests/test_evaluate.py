"""Evaluation: BFCL's summary, and the simulated teacher's known error
rates recovered within the intervals."""

import pytest

from distill.evaluate import bfcl_leaderboard, evaluate, summarize
from distill.records import SUBTASKS
from distill.sampling.base import SamplingParams
from distill.sampling.simulated import SimulatedSampler


def test_bfcl_leaderboard_columns_are_computed_as_bfcl_eval_computes_them():
    scores = {"simple_python": (8, 10), "simple_java": (4, 10), "simple_javascript": (6, 10), "multiple": (9, 10),
              "parallel": (7, 10), "parallel_multiple": (6, 10), "irrelevance": (1, 10)}
    non_live = bfcl_leaderboard(scores)["non_live"]
    assert non_live["Simple AST"] == pytest.approx(0.6)  # unweighted over the three languages
    assert non_live["AST Summary"] == non_live["Non-Live Overall Acc"] == pytest.approx((0.6 + 0.9 + 0.7 + 0.6) / 4, abs=1e-4)
    python_only = bfcl_leaderboard({k: v for k, v in scores.items() if "java" not in k})["non_live"]
    assert python_only["Simple AST"] is None and python_only["AST Summary"] is None  # N/A, as on the leaderboard
    assert python_only["Non-Live Overall Acc"] == pytest.approx((0.8 / 3 + 0.9 + 0.7 + 0.6) / 4, abs=1e-4)  # missing = 0
    live = bfcl_leaderboard({"live_simple": (30, 40), "live_multiple": (10, 20), "live_parallel": (0, 0),
                             "live_parallel_multiple": (0, 0)})["live"]
    assert live["AST Summary"] == pytest.approx(40 / 60, abs=1e-4)  # weighted by questions
    assert live["Relevance Detection"] is None


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_evaluating_the_simulated_teacher_recovers_its_error_rate(make_tasks, rate):
    tasks = make_tasks(600, seed=5, splits={"test": 1.0}, subtasks=("simple", "param_detection"))
    records = evaluate(SimulatedSampler({"wrong_value": rate}), tasks, SamplingParams(n=1), "sim")
    summary = summarize(records, "sim")
    for name, stats in summary["subtasks"].items():
        assert stats["n"] == 300
        assert stats["ci95"][0] - 0.02 <= 1 - rate <= stats["ci95"][1] + 0.02, (name, stats)
    assert summary["reasons"]["wrong_value"] > 0


def test_summary_has_the_documented_shape(make_tasks):
    tasks = make_tasks(90, splits={"test": 1.0})
    summary = summarize(evaluate(SimulatedSampler(), tasks, SamplingParams(n=1), "sim"), "sim")
    assert set(summary["subtasks"]) == set(SUBTASKS)
    assert all(set(v) == {"n", "accuracy", "ci95"} for v in summary["subtasks"].values())
    assert summary["overall"]["macro_accuracy"] == 1.0 and summary["reasons"] == {"ok": 90}
