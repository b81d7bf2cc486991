"""Evaluation statistics: Wilson intervals, BFCL's summary, and the simulated teacher's known error
rates recovered within the intervals."""

import pytest

from distill.evaluate import bfcl_non_live_summary, evaluate, summarize, wilson
from distill.records import SUBTASKS
from distill.sampling.base import SamplingParams
from distill.sampling.simulated import SimulatedSampler
from distill.tasks.mixture import Mixture


def test_wilson_interval_matches_known_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-3)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-3)
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)


def test_bfcl_non_live_summary_is_the_mean_of_the_four_ast_groups():
    accuracy = {"simple_python": 0.8, "multiple": 0.9, "parallel": 0.7, "parallel_multiple": 0.6, "irrelevance": 0.1}
    assert bfcl_non_live_summary(accuracy) == pytest.approx(0.75)
    assert bfcl_non_live_summary({**accuracy, "simple_java": 0.4}) == pytest.approx((0.6 + 0.9 + 0.7 + 0.6) / 4)
    assert bfcl_non_live_summary({"simple_python": 1.0}) is None


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_evaluating_the_simulated_teacher_recovers_its_error_rate(rate):
    tasks = [t for t in Mixture("g", {"simple": 1.0, "param_detection": 1.0}, total=600, splits={"test": 1.0}).generate(seed=5)]
    records = evaluate(SimulatedSampler({"wrong_value": rate}), tasks, SamplingParams(n=1), "sim")
    summary = summarize(records, "sim")
    for name, stats in summary["subtasks"].items():
        assert stats["n"] == 300
        assert stats["ci95"][0] - 0.02 <= 1 - rate <= stats["ci95"][1] + 0.02, (name, stats)
    assert summary["reasons"]["wrong_value"] > 0


def test_summary_has_the_documented_shape():
    tasks = list(Mixture("g", dict.fromkeys(SUBTASKS, 1.0), total=90, splits={"test": 1.0}).generate(seed=0))
    summary = summarize(evaluate(SimulatedSampler(), tasks, SamplingParams(n=1), "sim"), "sim")
    assert set(summary["subtasks"]) == set(SUBTASKS)
    assert all(set(v) == {"n", "accuracy", "ci95"} for v in summary["subtasks"].values())
    assert summary["overall"]["macro_accuracy"] == 1.0 and summary["reasons"] == {"ok": 90}
