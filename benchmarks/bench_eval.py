"""`make eval` throughput on this CPU: tasks/s of the student's evaluation path, per backend and batch size.

The same test tasks (--per-subtask of each of the 9 sub-tasks, plus as many of each BFCL non-live
Python category) are answered greedy, at most 192 new tokens (make eval's default), one answer per task,
no cache, by each configuration: transformers fp32 at several batch sizes (prompts sorted by length;
make eval's default is 16) and llama.cpp on the student's GGUF. Loading the model is not timed. For
each it prints tasks/s, the time share of answers that ran to the token limit, and how many answers
are identical to the default's word for word. Last line: `best / default tasks/s: R (<config>)`.

    .venv/bin/python benchmarks/bench_eval.py [--per-subtask 2] [--student smollm2-135m] [--batches 4 8 16 32]
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

from distill.models import load_student
from distill.recipes import build, compose_config
from distill.recipes.eval import select
from distill.sampling.base import SamplingParams
from distill.sampling.hf import HFSampler
from distill.tasks.bfcl import BfclSet

BFCL = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")


def timed(sampler: Any, tasks: list, params: SamplingParams) -> tuple[dict[str, str], dict[str, float]]:
    started = time.monotonic()
    samples = list(sampler.sample(tasks, params))
    seconds = time.monotonic() - started
    at_limit = sum(s.usage.completion_tokens >= params.max_tokens for s in samples)
    figures = {"seconds": seconds, "tasks/s": len(samples) / seconds,
               "generated tok/s": sum(s.usage.completion_tokens for s in samples) / seconds,
               "answers at the token limit": at_limit}
    return {s.task_id: s.text or "" for s in samples}, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-subtask", type=int, default=2)
    parser.add_argument("--student", default="smollm2-135m")
    parser.add_argument("--batches", type=int, nargs="+", default=[4, 8, 16, 32])
    parser.add_argument("--default-batch", type=int, default=16)
    parser.add_argument("--llamacpp", default="embedded", help="GGUF for the llama.cpp row ('' skips it)")
    args = parser.parse_args()
    cfg = compose_config("eval", [f"student={args.student}"])
    tasks = select(list(build(cfg.tasks).generate(cfg.seed)), "test", args.per_subtask)
    tasks += list(BfclSet("bfcl", BFCL, args.per_subtask).generate())
    params = SamplingParams(n=1, temperature=0.0, max_tokens=cfg.sampling.max_tokens)
    spec = build(cfg.student)
    model, tokenizer = load_student(spec, "float32")
    results: dict[str, tuple[dict[str, str], dict[str, float]]] = {}
    for batch in sorted(set(args.batches) | {args.default_batch}):
        sampler = HFSampler.from_model(model, tokenizer, spec.name, batch_size=batch,
                                       tools_in_template=spec.tools_in_template, progress=False)
        results[f"hf fp32 batch {batch}"] = timed(sampler, tasks, params)
    del model
    gc.collect()
    if args.llamacpp:
        from distill.sampling.llamacpp import LlamaCppSampler

        sampler = LlamaCppSampler(args.llamacpp, progress=False)
        list(sampler.sample([], params))  # load untimed
        results[f"llama.cpp {args.llamacpp}"] = timed(sampler, tasks, params)
    default = f"hf fp32 batch {args.default_batch}"
    reference = results[default][0]
    print(f"{len(tasks)} tasks ({args.per_subtask} per sub-task and BFCL category), student {spec.name}")
    for name, (answers, figures) in results.items():
        same = sum(answers[t.id] == reference[t.id] for t in tasks)
        print(f"{name:24s} " + "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                         for k, v in figures.items()) + f"  identical to default {same}/{len(tasks)}")
    best = max(results, key=lambda k: results[k][1]["tasks/s"])
    print(f"best / default tasks/s: {results[best][1]['tasks/s'] / results[default][1]['tasks/s']:.2f} ({best})")


if __name__ == "__main__":
    main()
