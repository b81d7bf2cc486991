"""Local teachers on this CPU: llama.cpp (the GGUF as shipped) vs transformers fp32 (the same weights, dequantized).

The same test tasks (2 per sub-task: 18) go through both backends for each model, greedy, at most 128
new tokens, one answer per task, no cache. For each (model, backend) it prints tasks/s, prompt and
generated tokens per second of wall time (both counted over the whole run, prefill and decoding
together; loading the model is not counted), the mean prompt length, and how many answers the two
backends agree on word for word.
Needs `make models`. Last line: `llama.cpp / HF tasks/s: <model> R, ...`.

    .venv/bin/python benchmarks/bench_local_teacher.py [--per-subtask 2] [--models qwen2.5-coder-1.5b ...]
"""

from __future__ import annotations

import argparse
import gc
import time

from distill.recipes import build, compose_config
from distill.recipes.eval import select
from distill.sampling.base import SamplingParams
from distill.sampling.hf import HFSampler
from distill.sampling.llamacpp import LlamaCppSampler

MODELS = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b")


def run(sampler: object, tasks: list, params: SamplingParams) -> tuple[dict[str, str], dict[str, float]]:
    list(sampler.sample([], params))  # type: ignore[attr-defined]  # load the model (and convert it, once) untimed
    started = time.monotonic()
    samples = list(sampler.sample(tasks, params))  # type: ignore[attr-defined]
    seconds = time.monotonic() - started
    prompt = sum(s.usage.prompt_tokens for s in samples)
    generated = sum(s.usage.completion_tokens for s in samples)
    figures = {"seconds": seconds, "tasks/s": len(samples) / seconds, "prompt tok/s": prompt / seconds,
               "generated tok/s": generated / seconds, "mean prompt": prompt / len(samples)}
    return {s.task_id: s.text or "" for s in samples}, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-subtask", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--hf-batch", type=int, default=4, help="HF generation batch (prompts sorted by length)")
    args = parser.parse_args()
    cfg = compose_config("eval", [])
    tasks = select(list(build(cfg.tasks).generate(cfg.seed)), "test", args.per_subtask)
    params = SamplingParams(n=1, temperature=0.0, max_tokens=args.max_tokens)
    ratios = []
    for name in args.models:
        llama_answers, llama = run(LlamaCppSampler(name, progress=False), tasks, params)
        gc.collect()
        hf_answers, hf = run(HFSampler(name, batch_size=args.hf_batch, progress=False), tasks, params)
        gc.collect()
        same = sum(llama_answers[t.id] == hf_answers[t.id] for t in tasks)
        for backend, figures in (("llama.cpp", llama), ("hf fp32", hf)):
            print(f"{name:20s} {backend:9s} " + "  ".join(f"{k} {v:.2f}" for k, v in figures.items()))
        print(f"{name:20s} identical answers: {same} of {len(tasks)}")
        ratios.append(f"{name} {llama['tasks/s'] / hf['tasks/s']:.2f}")
    print(f"llama.cpp / HF tasks/s ({len(tasks)} tasks): " + ", ".join(ratios))


if __name__ == "__main__":
    main()
