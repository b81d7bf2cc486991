"""Pair building: chosen selection, rejected sources, corruptions confirmed by the verifier, dedupe,
quotas, contamination, and the awkward teachers (silent, always wrong, always right)."""

import random
from collections import Counter

import pytest

from distill.contamination import drop_contaminated, ngrams
from distill.corruptions import GENERATORS
from distill.pairs import (
    Candidate,
    PairConfig,
    build_pairs,
    on_policy_pairs,
    pick_chosen,
    select_rejected,
    to_datasets,
)
from distill.records import SUBTASKS, Gold, Reason, Sample, Task, ToolCall, Verdict, assistant_message
from distill.sampling.base import Closing, SamplingParams
from distill.sampling.simulated import SimulatedSampler
from distill.verify import label_samples


@pytest.fixture(scope="module")
def tasks(make_tasks):
    return make_tasks(270, seed=2, splits={"train": 1.0})


def _judge(tasks, sampler, sandbox, n=3):
    samples = list(sampler.sample(tasks, SamplingParams(n=n)))
    by_key = {(s.task_id, s.index): s for s in samples}
    judged = {}
    for v in label_samples(tasks, samples, sandbox=sandbox):
        judged.setdefault(v.task_id, []).append((by_key[(v.task_id, v.sample_index)], v))
    return judged


def _build(tasks, judged, sandbox, config=None, student=None):
    return build_pairs(tasks, judged, student or {}, config or PairConfig(),
                       lambda s: label_samples(tasks, s, sandbox=sandbox), 0)


def test_chosen_is_the_answer_most_correct_samples_agree_on():
    task = Task("t", "simple", "train", (), (), Gold(calls=(ToolCall("f", {"x": 1}),)))
    a, b = ToolCall("f", {"x": 1}), ToolCall("f", {"x": 1.0, "y": "A B"})
    judged = [(Sample("t", i, "x", "m", tool_calls=(c,)), Verdict("t", i, Reason.OK, calls=(c,)))
              for i, c in enumerate([b, a, ToolCall("f", {"y": "a-b", "x": 1})])]
    chosen, source = pick_chosen(task, judged, allow_gold=True)
    assert source == "teacher" and chosen["tool_calls"][0]["function"]["arguments"] == b.arguments


def test_without_a_correct_sample_the_gold_is_chosen_only_if_allowed():
    task = Task("t", "simple", "train", (), (), Gold(calls=(ToolCall("f", {"x": 1}),)))
    wrong = [(Sample("t", 0, "x", "m", text="no"), Verdict("t", 0, Reason.NO_CALL))]
    assert pick_chosen(task, wrong, allow_gold=True)[1] == "gold"
    assert pick_chosen(task, wrong, allow_gold=False) is None


def test_rejected_are_deduped_exactly_and_after_normalization_and_capped_by_quota():
    chosen = assistant_message((ToolCall("f", {"city": "Paris"}),))
    same_as_chosen = assistant_message((ToolCall("f", {"city": "paris"}),))
    wrong = assistant_message((ToolCall("f", {"city": "Rome"}),))
    wrong_again = assistant_message((ToolCall("f", {"city": "ROME"}),))
    other = [assistant_message(text=f"answer {i}") for i in range(5)]
    candidates = [Candidate(same_as_chosen, "teacher", Reason.WRONG_VALUE),
                  Candidate(wrong, "teacher", Reason.WRONG_VALUE), Candidate(wrong_again, "student", Reason.WRONG_VALUE),
                  *(Candidate(m, "corruption:prose", Reason.NO_CALL) for m in other)]
    config = PairConfig(pairs_per_task=10, quotas={"teacher": 5, "student": 5, "corruption": 2})
    picked = select_rejected(chosen, candidates, config, random.Random(0))
    assert [c.source for c in picked] == ["teacher", "corruption:prose", "corruption:prose"]
    assert len(select_rejected(chosen, candidates, PairConfig(pairs_per_task=1), random.Random(0))) == 1


@pytest.mark.parametrize("mode", sorted(GENERATORS))
def test_every_corruption_generator_makes_an_answer_the_verifier_rejects(mode, tasks, sandbox):
    offered = []
    for task in (t for t in tasks if t.subtask != "name_detection"):  # names-only grading: values don't matter
        chosen = assistant_message(task.gold.calls) if task.gold.calls else assistant_message(text="The result is 42.")
        if task.gold.facts:
            chosen = assistant_message(text=" ".join(f"{f.name} {f.value}." for f in task.gold.facts))
        message = GENERATORS[mode](task, chosen, random.Random(0))
        if message is not None:
            calls = tuple(ToolCall(c["function"]["name"], c["function"]["arguments"]) for c in message.get("tool_calls", []))
            offered.append(Sample(task.id, 0, "corruption", "d", text=message["content"], tool_calls=calls or None))
    assert offered, f"{mode} never applied"
    rejected = [v for v in label_samples(tasks, offered, sandbox=sandbox) if not v.correct]
    assert len(rejected) >= 0.8 * len(offered), (mode, Counter(v.reason for v in label_samples(tasks, offered, sandbox=sandbox)))


def test_pairs_cover_every_subtask_with_sources_and_reasons(tasks, sandbox):
    pairs, counts = _build(tasks, _judge(tasks, SimulatedSampler({"wrong_value": 0.2, "prose": 0.1, "irrelevant_call": 0.2}), sandbox), sandbox)
    assert {p.subtask for p in pairs} == set(SUBTASKS)
    assert {p.source.split(":")[0] for p in pairs} == {"teacher", "corruption"}
    assert all(p.reason is not Reason.OK for p in pairs)
    assert counts["corruptions_confirmed_wrong"] <= counts["corruptions_offered"]


class Silent(Closing):
    def sample(self, tasks, params, indices=None):
        for t in tasks:
            for i in range(params.n):
                yield Sample(t.id, i, "silent", "m", text="")


def test_a_teacher_that_says_nothing_falls_back_to_gold_chosen(tasks, sandbox):
    pairs, counts = _build(tasks, _judge(tasks, Silent(), sandbox), sandbox)
    call_tasks = {t.id for t in tasks if t.gold.expects_call}
    assert {p.chosen_source for p in pairs if p.task_id in call_tasks} == {"gold"}
    assert counts["chosen_gold"] >= len(call_tasks)


def test_a_teacher_always_wrong_gives_gold_chosen_and_teacher_rejected(tasks, sandbox):
    pairs, counts = _build(tasks, _judge(tasks, SimulatedSampler({"prose": 1.0, "irrelevant_call": 1.0}), sandbox), sandbox)
    assert counts["chosen_teacher"] == 0 and pairs
    assert any(p.source == "teacher" for p in pairs)


def test_a_teacher_always_right_leaves_only_corruptions(tasks, sandbox):
    pairs, counts = _build(tasks, _judge(tasks, SimulatedSampler(), sandbox), sandbox)
    assert pairs and all(p.source.startswith("corruption:") for p in pairs)
    assert counts["chosen_gold"] == 0


def test_student_mistakes_become_student_pairs(tasks, sandbox):
    student = _judge(tasks[:30], SimulatedSampler({"wrong_function": 1.0}), sandbox, n=1)
    pairs, _ = _build(tasks[:30], _judge(tasks[:30], SimulatedSampler(), sandbox), sandbox, student=student)
    assert any(p.source == "student" for p in pairs)


def test_on_policy_pairs_reject_only_the_students_own_failures_against_gold(tasks, sandbox):
    from distill.verify import VerifyConfig

    some = tasks[:18]
    wrong = list(SimulatedSampler({"wrong_function": 1.0}).sample(some, SamplingParams(n=2)))
    pairs = on_policy_pairs(some, wrong, VerifyConfig(), sandbox, seed=0)
    assert pairs and {p.source for p in pairs} == {"student"} and {p.chosen_source for p in pairs} == {"gold"}
    assert all(sum(p.task_id == t.id for p in pairs) <= 2 for t in some)
    right = list(SimulatedSampler().sample(some, SamplingParams(n=2)))
    assert on_policy_pairs(some, right, VerifyConfig(), sandbox, seed=0) == []  # answered right: nothing to learn


def test_a_task_without_tools_does_not_break_the_build(sandbox):
    task = Task("bare", "irrelevance", "train", ({"role": "user", "content": "hello"},), (), Gold())
    pairs, counts = _build([task], _judge([task], SimulatedSampler(), sandbox), sandbox)
    assert counts["tasks_without_pairs"] == 1 and pairs == []


def test_contamination_drops_prompts_sharing_a_13_gram():
    text = "please compute the total distance in kilometers between the two cities that I mentioned before today"
    train = [Task("a", "simple", "train", ({"role": "user", "content": text.upper() + "!"},), (), Gold()),
             Task("b", "simple", "train", ({"role": "user", "content": "short request"},), (), Gold())]
    test = [Task("c", "simple", "test", ({"role": "user", "content": "Well, " + text},), (), Gold())]
    kept, dropped = drop_contaminated(train, test)
    assert dropped == ["a"] and [t.id for t in kept] == ["b"]
    assert len(ngrams(text)) == len(text.split()) - 12


def test_datasets_keep_tool_arguments_exact(tasks, sandbox):
    pairs, _ = _build(tasks[:60], _judge(tasks[:60], SimulatedSampler({"wrong_value": 0.5}), sandbox), sandbox)
    conversational, rendered = to_datasets(pairs)
    for row, pair in zip(conversational, pairs, strict=True):
        assert row["chosen"] == [pair.chosen] and row["rejected"] == [pair.rejected]
    assert "tools" not in rendered.column_names
    assert all("<tool_call>" in r["chosen"][0]["content"] or r["subtask"] in ("irrelevance", "response_generation")
               for r in rendered)


def test_no_pairs_make_empty_datasets_with_every_column():
    conversational, rendered = to_datasets([])
    assert len(conversational) == len(rendered) == 0
    assert {"prompt", "chosen", "rejected", "tools", "task_id"} <= set(conversational.column_names)
    assert {"prompt", "chosen", "rejected", "task_id"} <= set(rendered.column_names)
