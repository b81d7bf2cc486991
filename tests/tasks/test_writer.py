"""Tasks written for tools without templates: sub-task semantics, the chain of checks, drop counts."""

import importlib.util
import json
import random
from collections import Counter

import pytest

from distill.records import SUBTASKS, Gold, Sample, ToolCall
from distill.sampling.base import Closing, SamplerConfig, SamplingParams
from distill.sampling.cache import CacheConfig, cached_sampler
from distill.sampling.simulated import SimulatedSampler
from distill.tasks.mixture import Mixture
from distill.tasks.writer import WriteConfig, request_fault, sample_arguments, write_tasks
from distill.tasks.written import BUILDERS, Draft, find_fallbacks
from distill.toolsets import open_executor
from distill.toolsets.openapi import OpenAPITools
from distill.toolsets.python import PythonTools
from distill.toolsets.schemas import SchemaTools
from distill.verify import VerifyConfig, label_samples

GARDEN = PythonTools("examples/python/garden.py")
MIXTURE = Mixture("granular", {s: 1.0 for s in SUBTASKS}, total=180)
VERIFY = VerifyConfig(workers=1)


DEFAULT = WriteConfig()


def _write(toolset, checker=None, writer=None, mixture=MIXTURE, config=DEFAULT):
    with open_executor(toolset, VERIFY) as executor:
        return write_tasks(mixture, toolset.tools(), 0, writer or SimulatedSampler(), checker or SimulatedSampler(),
                           executor, VERIFY, config)


@pytest.fixture(scope="module")
def garden():
    return _write(GARDEN)


def test_every_subtask_has_a_builder():
    assert set(BUILDERS) == set(SUBTASKS)


def test_python_tools_get_every_subtask_with_the_template_generators_shapes(garden):
    tasks, report = garden
    made = Counter(t.subtask for t in tasks)
    assert set(made) == set(SUBTASKS), report
    shapes = {t.meta.get("shape") for t in tasks if t.subtask == "irrelevance"}
    assert shapes == {"no_tool_fits", "missing_value", "off_topic"}
    assert all(not t.gold.calls for t in tasks if t.subtask == "irrelevance")
    nested = next(t for t in tasks if t.subtask == "nested")
    assert nested.gold.ordered and nested.gold.calls[1].arguments[next(iter(
        k for k, v in nested.gold.calls[1].arguments.items() if v == {"$ref": 0}))] == {"$ref": 0}
    assert all(t.gold.result is not None for t in tasks if t.subtask in ("chaining", "nested"))
    assert all(t.gold.facts for t in tasks if t.subtask == "response_generation")
    assert all(len(t.tools) == 1 for t in tasks if t.subtask == "param_detection")


def test_heldout_tools_appear_only_in_test_and_make_about_half_its_gold(garden):
    tasks, report = garden
    held = set(report["heldout_tools"])
    assert held
    for task in tasks:
        listed = {t.name for t in task.tools}
        if task.split != "test":
            assert not listed & held, task.id
    test_calls = [t for t in tasks if t.split == "test" and t.gold.calls]
    assert any(t.meta["heldout_tool"] for t in test_calls) and not all(t.meta["heldout_tool"] for t in test_calls)


def test_the_semantic_check_drops_exactly_the_tasks_the_checker_gets_wrong():
    checker = SimulatedSampler({"wrong_value": 0.3, "irrelevant_call": 0.3})
    mixture = Mixture("m", {s: 1.0 for s in SUBTASKS}, total=360)
    # No surplus drafts: every draft that passes the other checks is kept, so the two runs see the same drafts.
    unchecked, _ = _write(GARDEN, mixture=mixture, config=WriteConfig(semantic_check=False, oversample=1.0))
    with open_executor(GARDEN, VERIFY) as executor:
        answers = list(checker.sample(unchecked, SamplingParams(n=1, temperature=0.0, max_tokens=512, seed=0)))
        wrong = Counter(v.task_id.split("/")[0] for v in label_samples(unchecked, answers, VERIFY, executor)
                        if not v.correct)
    checked, report = _write(GARDEN, checker=checker, mixture=mixture, config=WriteConfig(oversample=1.0))
    assert sum(wrong.values()) > 0
    assert report["dropped"]["semantic"] == dict(sorted(wrong.items()))
    assert len(checked) == len(unchecked) - sum(wrong.values())


class _Careless(Closing):
    """A writer that leaves out every number: its requests fail the format check."""

    def sample(self, tasks, params, indices=None):
        inner = SimulatedSampler()
        for sample in inner.sample(tasks, params, indices):
            if sample.text and sample.text.startswith("Please"):
                sample = Sample(sample.task_id, sample.index, "careless", "careless",
                                text="".join(c for c in sample.text if not c.isdigit()))
            yield sample


def test_requests_that_leave_out_a_value_are_dropped_at_the_format_check():
    tasks, report = _write(GARDEN, writer=_Careless())
    dropped = report["dropped"]["format"]
    assert dropped.get("param_detection", 0) > 0  # plan_bed, bed_area and soil_amendment take numbers
    assert all(not any(ch.isdigit() for ch in str(c.arguments)) for t in tasks if t.subtask == "param_detection"
               for c in t.gold.calls)


def test_request_fault_checks_stated_and_left_out_values():
    call = ToolCall("plan_bed", {"plant": "bean", "bed_length_cm": 120, "bed_width_cm": 30})
    draft = Draft("simple", "train", 0, [], Gold(calls=(call,)), asks=(call,))
    reply = lambda text: Sample("x", 0, "b", "m", text=text)  # noqa: E731
    assert request_fault(reply("Plan a bean bed, 120 by 30 cm."), draft) is None
    assert "bed_width_cm" in request_fault(reply("Plan a bean bed 120 cm long."), draft)
    assert request_fault(Sample("x", 0, "b", "m", tool_calls=(call,)), draft) == "not a plain message"
    missing = Draft("irrelevance", "train", 0, [], Gold(), asks=(call,), omit="bed_width_cm")
    assert request_fault(reply("Plan a bean bed, 120 cm long."), missing) is None
    assert "leave out" in request_fault(reply("Plan a bean bed, 120 by 30 cm."), missing)


def test_schema_only_tools_get_no_result_dependent_subtasks_and_say_so():
    tasks, report = _write(SchemaTools("tests/assets/tools/openai_tools.json"))
    assert not report["executable"]
    assert report["unsupported_subtasks"] == ["chaining", "nested", "response_generation"]
    assert {t.subtask for t in tasks} == set(SUBTASKS) - {"chaining", "nested", "response_generation", "next_best"}
    assert not find_fallbacks(SchemaTools("tests/assets/tools/openai_tools.json").tools())


def test_written_requests_come_from_the_cache_on_a_rerun(tmp_path):
    config = SamplerConfig(backend="simulated", model="simulated-oracle")
    cache = CacheConfig(path=str(tmp_path / "c.sqlite"))
    first = cached_sampler(config, cache)
    tasks, _ = _write(GARDEN, writer=first, mixture=Mixture("m", {"simple": 1.0}, total=20))
    assert first.counters.requested > 0
    first.close()
    again = cached_sampler(config, cache)
    replay, _ = _write(GARDEN, writer=again, mixture=Mixture("m", {"simple": 1.0}, total=20))
    assert again.counters.requested == 0 and again.counters.hits > 0
    assert [t.messages for t in replay] == [t.messages for t in tasks]
    again.close()


def test_sampled_arguments_follow_the_schema():
    from jsonschema import Draft202012Validator

    for tool in GARDEN.tools():
        validator = Draft202012Validator(tool.parameters)
        for i in range(20):
            assert validator.is_valid(sample_arguments(tool.parameters, random.Random(i))), tool.name


LINKS = {"compositions": [{"from": "searchBooks", "key": "results.0.id", "to": "getBook", "param": "book_id"},
                          {"from": "searchBooks", "key": "results.0.id", "to": "checkAvailability", "param": "book_id"},
                          {"from": "listBranches", "key": "0.id", "to": "checkAvailability", "param": "branch_id"}],
         "fallbacks": [{"primary": "checkAvailability", "alternative": "getBook"}]}


@pytest.fixture(scope="module")
def library_url():
    spec = importlib.util.spec_from_file_location("library_server", "examples/openapi/server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    with server.running() as url:
        yield url


def test_declared_compositions_give_id_taking_tools_values_from_results_and_chaining_tasks(library_url):
    library = OpenAPITools("examples/openapi/library.yaml", base_url=library_url)
    found_tasks, found = _write(library)
    assert not _from_search(found_tasks)  # names and types do not link a search result to a book id
    tasks, report = _write(library, config=WriteConfig(**LINKS))
    assert report["examples"]["getBook"] > found["examples"]["getBook"]  # ids from results, not made up
    assert report["examples"]["checkAvailability"] > found["examples"]["checkAvailability"]
    chained = _from_search(tasks)
    assert chained and "chaining" not in report["short"]
    for task, search in chained:
        assert task.gold.calls[0].arguments["book_id"] == search["results"][0]["id"]
    next_best = [t for t in tasks if t.subtask == "next_best"]
    assert next_best and all(t.gold.calls[0].name == "getBook" for t in next_best)


def _from_search(tasks):
    """(chaining task, the search result it continues from) for the chains that start with a search."""
    out = []
    for task in tasks:
        result = next((m for m in task.messages if m["role"] == "tool"), None)
        if task.subtask == "chaining" and result is not None and result.get("name") == "searchBooks":
            out.append((task, json.loads(result["content"])))
    return out


@pytest.mark.parametrize(("relations", "message"), [
    ({"compositions": [{"from": "searchBooks", "key": "id", "to": "nope", "param": "x"}]},
     r"written.compositions\[0\].to='nope': no such tool"),
    ({"compositions": [{"from": "searchBooks", "key": "id", "to": "getBook", "param": "isbn"}]},
     r"written.compositions\[0\].param='isbn': getBook has no such parameter \(it has book_id\)"),
    ({"fallbacks": [{"primary": "getBook", "alternative": "checkAvailability"}]},
     r"written.fallbacks\[0\]: checkAvailability needs branch_id, which getBook does not take"),
    ({"fallbacks": ["getBook"]}, r"written.fallbacks: expected a list of mappings"),
])
def test_a_declared_relation_that_does_not_fit_the_tools_is_named(relations, message):
    with pytest.raises(ValueError, match=message):
        _write(OpenAPITools("examples/openapi/library.yaml"), config=WriteConfig(**relations))


def test_tools_that_do_not_run_at_all_are_a_clear_error_not_an_empty_tasks_run():
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(RuntimeError, match=r"none of the \d+ example calls ran: .* Connection refused"):
        _write(OpenAPITools("examples/openapi/library.yaml", base_url=url))


def test_a_declared_key_is_a_path_of_dict_keys_and_list_indices():
    from distill.tasks.written import at_path, parse_path

    assert parse_path("results.0.id") == ("results", 0, "id")
    assert parse_path(0) == (0,) and parse_path("-1") == (-1,)  # Hydra reads key: 0 as an int
    assert parse_path(None) is None and parse_path("") is None
    assert at_path({"results": [{"id": "bk-1"}]}, ("results", 0, "id")) == "bk-1"
    with pytest.raises(KeyError):
        at_path({"results": []}, ("results", 0, "id"))


def test_a_writer_that_proposes_nothing_usable_is_a_clear_error():
    from distill.sampling.base import Closing

    class Prose(Closing):  # a writer model that answers every values request in words
        def sample(self, tasks, params, indices=None):
            for task in tasks:
                yield Sample(task_id=task.id, index=0, backend="x", model="prose", text="Sure! Plant tomatoes.")

    with pytest.raises(RuntimeError, match=r"proposed no schema-valid argument set .* written.values=sampled"):
        _write(GARDEN, writer=Prose())
