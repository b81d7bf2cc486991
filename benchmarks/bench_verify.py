"""Verifier throughput on single-call tasks: parse + schema + sandboxed execution + judge, end to end.

A mix of correct and incorrect outputs (native calls, <tool_call> text, wrong values, missing and
invented arguments, wrong types, wrong functions, unknown cities that make the tool raise, prose,
malformed JSON) for simple / param_detection / next_best tasks. The sandbox pool is started before
the clock (its start-up is printed separately). Prints the cost split, then as its last line
`candidates/s: N`. Goal (issue 4): at least 10,000 candidates/s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter

from distill.records import Sample, ToolCall
from distill.tasks.mixture import Mixture
from distill.verify import VerifyConfig, label_samples
from distill.verify.judge import _plan, _static_findings
from distill.verify.parse import Parsed, parse_sample


def candidates(task, rng: random.Random) -> list[Sample]:
    gold = task.gold.calls[0]
    key = rng.choice(sorted(gold.arguments))
    value = gold.arguments[key]
    wrong = value + 1 if isinstance(value, int | float) and not isinstance(value, bool) else f"{value}x"
    other = next((t.name for t in task.tools if t.name != gold.name), gold.name)
    outputs = [
        {"tool_calls": (gold,)},
        {"text": f"<tool_call>{json.dumps({'name': gold.name, 'arguments': gold.arguments})}</tool_call>"},
        {"tool_calls": (ToolCall(gold.name, {**gold.arguments, key: wrong}),)},
        {"tool_calls": (ToolCall(gold.name, {k: v for k, v in gold.arguments.items() if k != key}),)},
        {"tool_calls": (ToolCall(gold.name, {**gold.arguments, "extra_flag": True}),)},
        {"tool_calls": (ToolCall(other, gold.arguments),)},
        {"tool_calls": (ToolCall(gold.name, {**gold.arguments, key: [value]}),)},
        {"text": "I think the answer is probably around 42."},
        {"text": f'<tool_call>{{"name": "{gold.name}", "arguments": {{</tool_call>'},
    ]
    return [Sample(task.id, i, "bench", "mix", **out) for i, out in enumerate(rng.sample(outputs, 5))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    weights = {"simple": 1.0, "param_detection": 1.0, "next_best": 1.0}
    tasks = [t for t in Mixture("bench", weights, total=args.tasks).generate(seed=0)]
    by_id = {t.id: t for t in tasks}
    rng = random.Random(0)
    samples = [s for t in tasks for s in candidates(t, rng)]
    config = VerifyConfig(workers=args.workers, batch_size=2048)

    start = time.perf_counter()
    sandbox = config.sandbox()
    sandbox.run_one  # noqa: B018 - pool processes are up once spawned; the first batch pays their imports
    list(label_samples(by_id, samples[:50], config, sandbox=sandbox))
    startup = time.perf_counter() - start

    start = time.perf_counter()
    verdicts = list(label_samples(by_id, samples, config, sandbox=sandbox))
    total = time.perf_counter() - start
    reasons = Counter(v.reason.value for v in verdicts)

    # Cost split: the same work, stage by stage, on the same samples.
    t0 = time.perf_counter()
    parsed = [(by_id[s.task_id], parse_sample(s)) for s in samples]
    t1 = time.perf_counter()
    static = [(t, p, _static_findings(t, p)) for t, p in parsed if isinstance(p, Parsed)]
    t2 = time.perf_counter()
    programs = [prog for t, p, f in static if f is None for prog in _plan(t, p.calls)]
    sandbox.run(programs)
    t3 = time.perf_counter()
    sandbox.close()
    parse_s, schema_s, exec_s = t1 - t0, t2 - t1, t3 - t2
    print(f"{len(samples)} candidates for {len(tasks)} single-call tasks, {args.workers} sandbox workers "
          f"(start-up {startup:.2f} s, not counted)")
    print("reasons: " + ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())))
    print(f"cost split (stage alone): parse {parse_s:.3f} s, schema+structure {schema_s:.3f} s, "
          f"sandboxed execution of {len(programs)} programs {exec_s:.3f} s, "
          f"judge+glue {max(0.0, total - parse_s - schema_s - exec_s):.3f} s; end to end {total:.3f} s")
    print(f"candidates/s: {len(samples) / total:.0f}")


if __name__ == "__main__":
    main()
