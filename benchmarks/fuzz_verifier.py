"""Fuzz the verifier with adversarial model outputs and count what goes wrong.

Outputs (seeded) from the families an adversarial probe used: garbage text (lone surrogates
included), truncated gold JSON, numbers past float range and past Python's 4,300-digit limit,
1,000-deep nesting, ``...`` and other non-literals in pythonic calls, NaN and infinities, thousands
of unclosed markers, 150,000-item lists, separator/case variants of gold strings
(``"2024_04_06"``), changed values whose result may be the same (``is_palindrome("x")``), the
gold answers themselves, the gold calls written as bare JSON objects one after another (``bare_gold``),
and the gold calls running on with a repeat of the last one, whole or cut off (``run_on``, what small
models write until the token limit), on generated tasks of every sub-task and on BFCL tasks.

Checks, each printed as a count that should be 0:
- crashes: a batch that raised (its outputs are then judged one by one to find the culprit);
- flipped verdicts: a sample whose verdict alone differs from its verdict in its batch (2% rechecked);
- false-positive OKs: an OK for a variant or changed value whose call, run directly in the sandbox,
  raises or gives another result than the gold call, or for a ``run_on`` answer; and gold answers
  (``gold``, ``bare_gold``) not judged OK;
- unwritable records: every (sample, verdict) is written through `distill.io` and read back equal.
Time per output is the CPU time of the parse + static checks of each output alone (execution runs
batched, its throughput is printed beside). Last line: `fuzz: N outputs, C crashes, F flipped, P false-positive OK,
W unwritable; per output p99 X ms, max Y ms`.  Run: `.venv/bin/python benchmarks/fuzz_verifier.py --n 100000`.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import tempfile
import time
from collections import Counter
from pathlib import Path

from distill import io
from distill.records import SUBTASKS, EvalRecord, Sample, Task, ToolCall
from distill.tasks.mixture import Mixture
from distill.verify import VerifyConfig, label_samples
from distill.verify.judge import _static_findings
from distill.verify.parse import Parsed, parse_sample
from distill.verify.sandbox import OK, Program, Sandbox
from distill.verify.values import results_equal, values_identical

FAMILIES = ("garbage", "truncated", "bignum", "deep", "surrogate", "pythonic", "nonfinite", "unclosed", "huge_list",
            "variant", "changed", "gold", "bare_gold", "run_on")
WEIGHTS = (10, 10, 10, 8, 8, 10, 8, 3, 0.2, 12, 12, 10, 6, 6)
"""How often each family is drawn; a 150,000-item list is a probe of time, and 1 MB to store, so rare."""
HUGE = ["x"] * 150_000  # one list shared by every huge_list output


def load_tasks(seed: int) -> list[Task]:
    tasks = list(Mixture("granular", dict.fromkeys(SUBTASKS, 1.0), total=1800).generate(seed))
    try:
        from distill.tasks.bfcl import BfclSet

        tasks += list(BfclSet("bfcl", ("simple_python", "multiple", "parallel", "irrelevance"), 60).generate())
    except Exception as exc:  # noqa: BLE001 - BFCL is optional here
        print(f"(no BFCL tasks: {exc})")
    return tasks


def _gold_json(task: Task) -> str:
    return json.dumps([{"name": c.name, "arguments": c.arguments} for c in task.gold.calls])


def _variant(value: str, rng: random.Random) -> str:
    """A spelling BFCL's normalization calls equal: separators swapped or added, case changed."""
    choice = rng.randrange(5)
    if choice == 0:
        return value.upper()
    if choice == 1:
        return value.replace("-", "_").replace(" ", "-")
    if choice == 2:
        return value + rng.choice(["./", ".", "-", "_"])
    if choice == 3:
        return value.lower().replace(" ", "")
    return "-".join(value)


def _changed(value: object, rng: random.Random) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + rng.choice([1, -1, 0.5])
    if isinstance(value, str):
        return rng.choice(["x", "racecar", "Paris", "2024-01-01", value[::-1], value + " extra"])
    if isinstance(value, list):
        return value[:-1] if value else [1]
    return None


def _mutated_call(task: Task, rng: random.Random, how) -> tuple[ToolCall, ...] | None:
    if not task.gold.calls:
        return None
    calls = list(task.gold.calls)
    index = rng.randrange(len(calls))
    keys = [k for k, v in calls[index].arguments.items() if not (isinstance(v, dict) and "$ref" in v)]
    if how is _variant:
        keys = [k for k in keys if isinstance(calls[index].arguments[k], str)]
    if not keys:
        return None
    key = rng.choice(keys)
    new = how(calls[index].arguments[key], rng)
    calls[index] = ToolCall(calls[index].name, {**calls[index].arguments, key: new})
    return tuple(calls)


def output(task: Task, family: str, rng: random.Random) -> dict[str, object] | None:
    """One output of a family for a task, as Sample fields; None when the family does not apply."""
    name = task.gold.calls[0].name if task.gold.calls else task.tools[0].name
    if family == "garbage":
        alphabet = string.printable + "\ud83d\udfff{}[]<>\"'\\éß中"
        return {"text": "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400)))}
    if family == "truncated":
        text = f"<tool_call>{_gold_json(task)}</tool_call>" if task.gold.calls else "I can't."
        return {"text": text[: rng.randrange(1, len(text) + 1)]}
    if family == "bignum":
        number = rng.choice([10**309, int("7" * 2501), -(10**1200), "9" * 5000])
        return {"text": f'{{"name": "{name}", "arguments": {{"numbers": [{number}, {number}]}}}}'} if isinstance(
            number, str) else {"tool_calls": (ToolCall(rng.choice(["multiply_numbers", "add_numbers", name]),
                                                       {"numbers": [number, number]}),)}
    if family == "deep":
        depth = rng.choice([65, 500, 990, 1000, 5000])
        return {"text": f'{{"name": "{name}", "arguments": {{"x": ' + "[" * depth + "]" * depth + "}}"}
    if family == "surrogate":
        return {"text": f'{{"name": "{name}", "arguments": {{"city": "\\ud83d{rng.random()}"}}}}'}
    if family == "pythonic":
        value = rng.choice(["...", "1e999", "[1, ...]", "{'a': ...}", "10**400", "float('nan')", "{1, 2}", "b'x'",
                            "1j", "__import__('os')", "lambda: 1", "'\\ud83d'"])
        return {"text": f"[{name}(x={value})]"}
    if family == "nonfinite":
        value = rng.choice(["NaN", "Infinity", "-Infinity", "1e999"])
        return {"text": f'{{"name": "{name}", "arguments": {{"numbers": [{value}, 1]}}}}'}
    if family == "unclosed":
        marker = rng.choice(["<tool_call>", "<function_call>", "```", "[f(", '{"name": '])
        return {"text": marker * rng.choice([1, 10, 100, 1_000, 30_000])}
    if family == "huge_list":
        return {"tool_calls": (ToolCall(name, {"numbers": HUGE}),)}
    if family == "variant":
        calls = _mutated_call(task, rng, _variant)
        return None if calls is None else {"tool_calls": calls}
    if family == "changed":
        calls = _mutated_call(task, rng, _changed)
        return None if calls is None else {"tool_calls": calls}
    if family in ("bare_gold", "run_on"):
        if not task.gold.calls:
            return None
        objects = [json.dumps({"name": c.name, "arguments": c.arguments}) for c in task.gold.calls]
        if family == "run_on":
            extra = objects[-1]
            objects.append(extra[: rng.randrange(1, len(extra) + 1)] if rng.random() < 0.5 else extra)
        return {"text": rng.choice(["\n", "\n\n", " ", ",\n"]).join(objects)}
    if task.gold.calls:
        return {"tool_calls": task.gold.calls}
    if task.gold.facts:
        return {"text": "; ".join(f"{f.name} is {f.value}" for f in task.gold.facts)}
    return {"text": "I can't do that with these tools. Could you tell me more?"}


def make_samples(tasks: list[Task], n: int, seed: int) -> tuple[list[Sample], dict[tuple[str, int], str]]:
    rng = random.Random(seed)
    samples, family_of = [], {}
    while len(samples) < n:
        task, family = rng.choice(tasks), rng.choices(FAMILIES, WEIGHTS)[0]
        fields = output(task, family, rng)
        if fields is None:
            continue
        sample = Sample(task.id, len(samples), "fuzz", family, **fields)
        samples.append(sample)
        family_of[(task.id, sample.index)] = family
    return samples, family_of


def judge_all(samples, by_id, config, sandbox, batch):
    verdicts, crashes, seconds = {}, 0, 0.0
    for start in range(0, len(samples), batch):
        part = samples[start: start + batch]
        began = time.perf_counter()
        try:
            verdicts.update({(v.task_id, v.sample_index): v for v in label_samples(by_id, part, config, sandbox)})
        except Exception:  # noqa: BLE001 - counted: find the outputs that crash alone
            for sample in part:
                try:
                    (v,) = label_samples(by_id, [sample], config, sandbox)
                    verdicts[(v.task_id, v.sample_index)] = v
                except Exception as exc:  # noqa: BLE001
                    crashes += 1
                    print(f"CRASH {sample.model} {sample.task_id}: {type(exc).__name__}: {exc}"[:300])
        seconds += time.perf_counter() - began
    return verdicts, crashes, seconds


def static_times(samples, by_id, config) -> list[float]:
    """CPU seconds (not wall: the machine is shared) of each output's parse and static checks, with the
    garbage collector paused (a full collection over 100,000 outputs in memory is not one output's cost)."""
    import gc

    times = []
    gc.disable()
    for sample in samples:
        began = time.process_time()
        parsed = parse_sample(sample, config.format, config.strict)
        if isinstance(parsed, Parsed) and not by_id[sample.task_id].subtask.startswith("bfcl:"):
            _static_findings(by_id[sample.task_id], parsed)
        times.append(time.process_time() - began)
    gc.enable()
    return sorted(times)


def false_positives(samples, verdicts, family_of, by_id, sandbox) -> tuple[int, int]:
    """(OK verdicts the sandbox contradicts, golds not judged OK)."""
    suspects, bad_golds, wrong = [], 0, 0
    for sample in samples:
        family, verdict = family_of[(sample.task_id, sample.index)], verdicts[(sample.task_id, sample.index)]
        task = by_id[sample.task_id]
        if family in ("gold", "bare_gold") and not verdict.correct:
            bad_golds += 1
            print(f"GOLD NOT OK {task.id}: {verdict.reason} {verdict.detail}"[:300])
        if family == "run_on" and verdict.correct:
            wrong += 1
            print(f"FALSE OK (run-on) {task.id}: {sample.text[-200:]}"[:300])
        if family in ("variant", "changed") and verdict.correct and not task.subtask.startswith("bfcl:") \
                and task.subtask != "name_detection" and task.gold.result is None:
            suspects.append((sample, task))
    for sample, task in suspects:
        for call, gold in zip(sample.tool_calls, task.gold.calls, strict=True):
            if call.name != gold.name or values_identical(call.arguments, gold.arguments):
                continue
            mine, want = sandbox.run([Program((call,)), Program((gold,))])
            if mine.status != OK or want.status != OK or not results_equal(mine.results, want.results):
                wrong += 1
                print(f"FALSE OK {task.id}: {call.arguments} vs {gold.arguments}"[:300])
    return wrong, bad_golds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    tasks = load_tasks(args.seed)
    by_id = {t.id: t for t in tasks}
    samples, family_of = make_samples(tasks, args.n, args.seed)
    config = VerifyConfig()
    with Sandbox(config.workers) as sandbox:
        verdicts, crashes, seconds = judge_all(samples, by_id, config, sandbox, args.batch)
        rng = random.Random(args.seed + 1)
        recheck = rng.sample(samples, max(1, len(samples) // 50))
        flipped = 0
        for sample in recheck:
            key = (sample.task_id, sample.index)
            if key not in verdicts:
                continue
            (alone,) = label_samples(by_id, [sample], config, sandbox)
            flipped += (alone.reason, alone.detail) != (verdicts[key].reason, verdicts[key].detail)
        wrong, bad_golds = false_positives([s for s in samples if (s.task_id, s.index) in verdicts], verdicts,
                                           family_of, by_id, sandbox)
    records = [EvalRecord(s.task_id, by_id[s.task_id].subtask, s.model, s, verdicts[(s.task_id, s.index)])
               for s in samples if (s.task_id, s.index) in verdicts]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.jsonl"
        try:
            io.write_jsonl(path, records)
            back = list(io.read_jsonl(path, EvalRecord))
            unwritable = sum(a.to_json() != b.to_json() for a, b in zip(records, back, strict=True))
        except Exception as exc:  # noqa: BLE001 - counted
            print(f"UNWRITABLE: {type(exc).__name__}: {exc}"[:300])
            unwritable = len(records)
    times = static_times(samples, by_id, config)
    reasons = Counter((family_of[k], v.reason.value) for k, v in verdicts.items())
    for family in FAMILIES:
        row = {r: n for (f, r), n in sorted(reasons.items()) if f == family}
        print(f"{family:10} {sum(row.values()):7d}  {row}")
    print(f"judged {len(verdicts)} outputs in {seconds:.1f} s ({len(verdicts) / seconds:.0f}/s, batches of "
          f"{args.batch}, execution included); {len(recheck)} rechecked alone; {bad_golds} gold answers not OK")
    p99, worst = 1000 * times[int(0.99 * (len(times) - 1))], 1000 * times[-1]
    print(f"fuzz: {len(samples)} outputs, {crashes} crashes, {flipped} flipped, {wrong + bad_golds} false-positive "
          f"OK, {unwritable} unwritable; per output p99 {p99:.2f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
