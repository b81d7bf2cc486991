"""Whatever a model writes, the verifier returns a verdict with a reason; it never raises, one output
never changes another's verdict, and every verdict can be written and read back.

The families are the ones an adversarial probe found holes in: big numbers (past float range, past
Python's 4,300-digit text limit), deep nesting, lone surrogates from JSON escapes, ``...`` in a
pythonic call, NaN and infinities, many unclosed markers, and plain garbage.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distill import io
from distill.records import EvalRecord, Gold, Reason, Sample, Task, ToolCall
from distill.tasks.base import schemas
from distill.verify import VerifyConfig, label_samples
from distill.verify.parse import ParseFailure, parse_text

TASK = Task("t", "simple", "test", ({"role": "user", "content": "add 1 and 2"},), tuple(schemas(["add_numbers"])),
            Gold(calls=(ToolCall("add_numbers", {"numbers": [1.0, 2.0]}),)))
FUZZ = settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _verdict(sandbox, text=None, calls=None, task=TASK):
    sample = Sample(task.id, 0, "test", "m", text=text, tool_calls=calls)
    (verdict,) = label_samples([task], [sample], VerifyConfig(), sandbox=sandbox)
    assert isinstance(verdict.reason, Reason)
    return verdict


# -- what a model might write ------------------------------------------------------------------------

big_ints = st.one_of(st.integers(), st.integers(min_value=10**308, max_value=10**400),
                     st.just(int("9" * 1000)), st.just(-(10**3000)))
floats = st.floats(allow_nan=True, allow_infinity=True)
leaves = st.none() | st.booleans() | big_ints | floats | st.text(max_size=20) | st.sampled_from(["\ud83d", "x\udfff"])
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                                             inner, max_size=4),
                           max_leaves=12)
names = st.sampled_from(["add_numbers", "multiply_numbers", "get_city_country", "is_palindrome", "nope"]) | st.text(
    max_size=12)


def _encode(value):
    try:
        return json.dumps(value)  # NaN/Infinity as Python writes them; lone surrogates as \\ud83d escapes
    except ValueError:  # an int past the text limit: write its digits out by hand
        return "1" * 5000


@st.composite
def outputs(draw):
    """(text, native calls): one model output from one of the families."""
    family = draw(st.sampled_from(["text", "json", "hermes", "pythonic", "granite", "native", "deep", "unclosed",
                                   "bignum"]))
    name, args = draw(names), draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    body = f'{{"name": {json.dumps(name)}, "arguments": {_encode(args)}}}'
    if family == "text":
        return draw(st.text(max_size=200)), None
    if family == "json":
        return body, None
    if family == "hermes":
        return draw(st.text(max_size=20)) + f"<tool_call>{body}</tool_call>", None
    if family == "granite":
        return f"<function_call> {body}", None
    if family == "pythonic":
        value = draw(st.sampled_from(["...", "1e999", "-1e999", "[1, ...]", "{'a': ...}", "10**400", '"\\ud83d"',
                                      "9" * 5000, "[[[[[[[[[[1]]]]]]]]]]", "float('nan')", "{1, 2}", "b'x'", "1j"]))
        return f"[{name if name.isidentifier() else 'f'}(x={value})]", None
    if family == "native":
        return None, (ToolCall(name, args),)
    if family == "bignum":  # a real tool on numbers whose result is past what JSON (or a float) can hold
        number = draw(st.sampled_from([int("7" * 2501), 10**400, 1e308, -(10**1500)]))
        tool = draw(st.sampled_from(["multiply_numbers", "add_numbers", "mean_of_numbers"]))
        return None, (ToolCall(tool, {"numbers": [number, number]}),)
    if family == "deep":
        depth = draw(st.sampled_from([63, 64, 65, 500, 990, 5000]))
        return '{"name": "add_numbers", "arguments": {"numbers": ' + "[" * depth + "]" * depth + "}}", None
    count = draw(st.integers(1, 2000))
    return "<tool_call>" * count + draw(st.text(max_size=10)), None


# -- the properties ------------------------------------------------------------------------------------

@FUZZ
@given(st.lists(outputs(), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_every_output_gets_a_verdict_independent_of_its_batch_and_writable(sandbox, make_tasks, batch, rng):
    tasks = [TASK, *[t for t in make_tasks(180, seed=3) if t.split == "test"][:12]]
    by_id = {t.id: t for t in tasks}
    samples, golds = [], []
    for number, (text, calls) in enumerate(batch):
        task = rng.choice(tasks)
        samples.append(Sample(task.id, number, "fuzz", "m", text=text, tool_calls=calls))
    for number, task in enumerate(tasks[1:5]):  # gold answers in the same batch must stay correct
        golds.append(Sample(task.id, 100 + number, "fuzz", "gold", tool_calls=task.gold.calls or None,
                            text=None if task.gold.calls else _gold_text(task)))
    together = list(label_samples(by_id, [*samples, *golds], VerifyConfig(), sandbox=sandbox))
    assert len(together) == len(samples) + len(golds)
    for sample, verdict in zip(samples, together, strict=False):
        assert isinstance(verdict.reason, Reason) and (verdict.correct or verdict.detail)
        (alone,) = label_samples(by_id, [sample], VerifyConfig(), sandbox=sandbox)
        assert (alone.reason, alone.detail) == (verdict.reason, verdict.detail)
    assert all(v.correct for v in together[len(samples):]), [v for v in together[len(samples):] if not v.correct]
    records = [EvalRecord(s.task_id, by_id[s.task_id].subtask, "m", s, v) for s, v in zip(samples, together, strict=False)]
    _round_trip(records)


def _gold_text(task):
    if task.gold.facts:
        return "; ".join(f"{f.name} is {f.value}" for f in task.gold.facts)
    return "I can't do that with these tools. Could you tell me more?"


def _round_trip(records):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.jsonl"
        io.write_jsonl(path, records)
        back = list(io.read_jsonl(path, EvalRecord))
    assert [r.to_json() for r in back] == [r.to_json() for r in records]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_arbitrary_text_gets_a_verdict(sandbox, text):
    _verdict(sandbox, text=text)


# -- the holes the probe found, one by one -------------------------------------------------------------

def test_json_nested_100000_deep_gets_a_verdict(sandbox):
    deep = "[" * 100_000 + "]" * 100_000
    assert _verdict(sandbox, text=deep).reason is Reason.PARSE_ERROR
    assert _verdict(sandbox, text=f"<tool_call>{deep}</tool_call>").reason is Reason.PARSE_ERROR
    deep_args = '{"name": "add_numbers", "arguments": {"numbers": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert _verdict(sandbox, text=deep_args).reason is Reason.PARSE_ERROR
    assert _verdict(sandbox, text="[f(x=" + "[" * 100_000 + "]" * 100_000 + ")]").reason is Reason.PARSE_ERROR
    nested_900 = '{"name": "add_numbers", "arguments": {"numbers": ' + "[" * 900 + "]" * 900 + "}}"
    verdict = _verdict(sandbox, text=nested_900)
    assert verdict.reason is Reason.PARSE_ERROR and "nested deeper than 64" in verdict.detail


def test_10_mb_strings_get_a_verdict(sandbox):
    huge = "x" * 10_000_000
    assert _verdict(sandbox, text=huge).reason in (Reason.PARSE_ERROR, Reason.NO_CALL)
    args = json.dumps({"name": "add_numbers", "arguments": {"numbers": [1.0, 2.0], "note": huge}})
    assert _verdict(sandbox, text=args[:900_000]).reason is Reason.PARSE_ERROR


def test_nan_infinity_and_lone_surrogates_are_parse_errors(sandbox):
    assert _verdict(sandbox, text='{"name": "add_numbers", "arguments": {"numbers": [NaN, Infinity]}}').reason \
        is Reason.PARSE_ERROR
    assert _verdict(sandbox, text='{"name": "add_numbers", "arguments": {"numbers": ["\\ud800"]}}').reason \
        is Reason.PARSE_ERROR
    assert _verdict(sandbox, text="\ud800 <tool_call>\udfff</tool_call>").reason is Reason.PARSE_ERROR
    assert isinstance(parse_text('[f(x=float("nan"))]'), ParseFailure)
    assert isinstance(parse_text("[f(x=...)]"), ParseFailure)


def test_numbers_past_float_range_are_compared_without_crashing(sandbox):
    huge = "1" + "0" * 400
    verdict = _verdict(sandbox, text=f'{{"name": "add_numbers", "arguments": {{"numbers": [{huge}, 2]}}}}')
    assert verdict.reason in (Reason.WRONG_VALUE, Reason.EXEC_ERROR)
    too_long = "9" * 5000  # past Python's int text limit: the JSON cannot be read at all
    text = f'{{"name": "add_numbers", "arguments": {{"numbers": [{too_long}]}}}}'
    assert _verdict(sandbox, text=text).reason is Reason.PARSE_ERROR


def test_a_lone_surrogate_in_prose_is_replaced_so_the_sample_can_be_stored(sandbox, tmp_path):
    sample = Sample("t", 0, "test", "m", text="I can't \ud83d do that")
    assert sample.text == "I can't \ufffd do that"
    from distill.sampling.cache import ResponseCache

    cache = ResponseCache(tmp_path / "c.sqlite")
    assert cache.store("k", sample).text == sample.text
    assert cache.lookup(["k"])["k"] == sample


def test_the_correct_answer_is_ok_through_the_same_path(sandbox):
    assert _verdict(sandbox, text='{"name": "add_numbers", "arguments": {"numbers": [1, 2]}}').reason is Reason.OK
