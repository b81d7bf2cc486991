"""The simulated teacher: gold answers at rate 0, the configured failure modes otherwise, found by the
verifier (the samples themselves carry no hint), reproducible per sample index."""

from collections import Counter

import pytest

from distill.records import Reason
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.sampling.simulated import MODES, SimulatedSampler
from distill.verify import label_samples


def test_with_no_errors_every_answer_is_verified_correct(tasks, sandbox):
    samples = list(SimulatedSampler().sample(tasks, SamplingParams(n=2)))
    verdicts = list(label_samples(tasks, samples, sandbox=sandbox))
    assert len(verdicts) == 2 * len(tasks)
    assert all(v.correct for v in verdicts), [(v.task_id, v.reason, v.detail) for v in verdicts if not v.correct][:3]


@pytest.mark.parametrize(("mode", "reasons"), [
    ("wrong_function", {Reason.WRONG_FUNCTION}),
    ("missing_argument", {Reason.MISSING_ARGUMENT}),
    ("extra_argument", {Reason.UNKNOWN_ARGUMENT}),
    ("wrong_type", {Reason.WRONG_TYPE}),
    ("wrong_call_count", {Reason.WRONG_CALL_COUNT}),
    ("broken_format", {Reason.PARSE_ERROR}),
    ("prose", {Reason.NO_CALL}),
])
def test_each_failure_mode_is_found_by_the_verifier(mode, reasons, tasks, sandbox):
    call_tasks = [t for t in tasks if t.gold.calls and t.subtask not in ("name_detection",)]
    samples = list(SimulatedSampler({mode: 1.0}).sample(call_tasks, SamplingParams(n=1)))
    found = Counter(v.reason for v in label_samples(call_tasks, samples, sandbox=sandbox))
    assert sum(found[r] for r in reasons) >= 0.6 * len(call_tasks), found


def test_irrelevant_calls_are_unexpected(tasks, sandbox):
    quiet = [t for t in tasks if not t.gold.calls]
    samples = list(SimulatedSampler({"irrelevant_call": 1.0}).sample(quiet, SamplingParams(n=1)))
    found = Counter(v.reason for v in label_samples(quiet, samples, sandbox=sandbox))
    assert found[Reason.UNEXPECTED_CALL] == len(quiet)


def test_error_rate_is_recovered_by_the_verifier(tasks, sandbox):
    simple = [t for t in tasks if t.subtask in ("simple", "param_detection")] * 20
    params = SamplingParams(n=1)
    rates = {"wrong_value": 0.2, "prose": 0.1}
    samples = [s for i, t in enumerate(simple)
               for s in SimulatedSampler(rates).sample([t], SamplingParams(n=1, seed=i))]
    verdicts = list(label_samples(simple, samples, sandbox=sandbox))
    wrong = sum(not v.correct for v in verdicts) / len(verdicts)
    assert wrong == pytest.approx(0.3, abs=0.08)
    assert params.n == 1


def test_a_sample_does_not_depend_on_which_others_were_requested(tasks):
    sampler = SimulatedSampler({m: 0.05 for m in MODES})
    full = {(s.task_id, s.index): s for s in sampler.sample(tasks, SamplingParams(n=4))}
    partial = list(sampler.sample(tasks[:3], SamplingParams(n=4), indices={tasks[1].id: [3, 1]}))
    assert [(s.task_id, s.index) for s in partial] == [(tasks[1].id, 3), (tasks[1].id, 1)]
    assert all(s == full[(s.task_id, s.index)] for s in partial)


def test_samples_say_they_are_simulated_and_nothing_else(tasks):
    sampler = open_sampler(SamplerConfig(backend="simulated", model="simulated-oracle",
                                         options={"error_rates": {"wrong_value": 1.0}}))
    for sample in sampler.sample(tasks[:20], SamplingParams(n=1)):
        assert sample.backend == "simulated"
        assert "wrong_value" not in sample.to_json() and "corrupt" not in sample.to_json()


def test_unknown_failure_mode_is_rejected_by_name():
    with pytest.raises(ValueError, match="typo_mode"):
        SimulatedSampler({"typo_mode": 0.1})
