"""DPO step cost on the embedded student with `make dpo`'s own configuration (conf/dpo.yaml, dpo=lora,
device defaults): step time with and without precomputed reference log-probs, training tokens/s, and
the padding fraction of distill's length-grouped batches.

Uses the default pairs run (run `make pairs` first) and the same selection as `make dpo`. Last line:
`precompute step ratio: R, padding: P`. Goals (issue 7): R <= 0.7, P <= 0.15. With a CUDA GPU and
vLLM installed it first prints vLLM vs HF sampling tokens/s on dev tasks (the on-policy sampler).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from distill import io
from distill.models import load_student
from distill.recipes import compose_config
from distill.train import length_grouped, lora_on_top_layers, pair_length, stratified, token_budget, train_dpo


class StepTimer:
    """A transformers callback timing each optimizer step."""

    def __init__(self) -> None:
        from transformers import TrainerCallback

        timer = self

        class _Callback(TrainerCallback):
            def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
                timer.started = time.perf_counter()

            def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
                timer.steps.append(time.perf_counter() - timer.started)

        self.callback = _Callback()
        self.steps: list[float] = []
        self.started = 0.0


def sequence_lengths(tokenizer: Any, row: dict[str, Any]) -> tuple[int, int]:
    def length(side: str) -> int:
        encoded = tokenizer.apply_chat_template(row["prompt"] + row[side], tokenize=True)
        return len(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)

    return length("chosen"), length("rejected")


def measure(dataset: Any, config: Any, precompute: bool, steps: int, batch: int) -> tuple[float, int]:
    """(median seconds per step after the first, trained tokens per step)."""
    import shutil
    import tempfile

    from distill.recipes.dpo import training_arguments

    dpo_args, _, lora = training_arguments(config.dpo)
    dpo_args.update(max_steps=steps, per_device_train_batch_size=batch, precompute_ref_log_probs=precompute,
                    save_strategy="no", report_to="none", logging_steps=1)
    model, tokenizer = load_student("embedded")
    lora = lora_on_top_layers(lora, model.config.num_hidden_layers, config.dpo.get("top_layers"))
    timer = StepTimer()
    folder = Path(tempfile.mkdtemp(prefix="bench_dpo-"))
    try:  # make dpo's own training call (TRL's DPOTrainer, answer-only LM-head scoring)
        _, history = train_dpo(model, tokenizer, dataset, dpo_args, lora, folder, callbacks=[timer.callback])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    tokens = history[-2].get("num_tokens", 0) / max(1, steps)
    timed = sorted(timer.steps[1:]) or timer.steps
    return timed[len(timed) // 2], int(tokens)


def sampling_throughput(pairs_run: Path, tasks_count: int = 64) -> None:
    """vLLM vs HF batched generation on dev tasks, generated tokens/s (only with CUDA and vLLM)."""
    import importlib.util

    import torch

    if not torch.cuda.is_available() or importlib.util.find_spec("vllm") is None:
        print("sampling: vLLM vs HF skipped (needs a CUDA GPU and vllm installed)")
        return
    from distill.sampling.base import SamplingParams
    from distill.sampling.hf import HFSampler
    from distill.sampling.vllm import VLLMSampler

    tasks = [t for t in io.read_tasks(pairs_run) if t.split == "dev"][:tasks_count]
    params = SamplingParams(n=2, temperature=1.0, max_tokens=160, seed=0)
    rates = {}
    for name, sampler in (("hf", HFSampler("embedded", batch_size=32, progress=False)),
                          ("vllm", VLLMSampler("embedded", name="embedded"))):
        list(sampler.sample(tasks[:4], params))  # load and warm up
        started = time.perf_counter()
        generated = sum(s.usage.completion_tokens for s in sampler.sample(tasks, params))
        rates[name] = generated / (time.perf_counter() - started)
    print(f"sampling {len(tasks)} dev tasks x 2: vLLM {rates['vllm']:.0f} tokens/s, HF {rates['hf']:.0f} tokens/s "
          f"({rates['vllm'] / rates['hf']:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="outputs/pairs/default")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("overrides", nargs="*", help="hydra overrides of conf/dpo.yaml, e.g. dpo.peft.r=8")
    args = parser.parse_args()
    sampling_throughput(Path(args.pairs))
    _, tokenizer = load_student("embedded")
    dataset = io.load_dataset(Path(args.pairs) / "rendered")
    config = compose_config("dpo", args.overrides)
    weights = dict(config.subtask_weights or {})
    picked = stratified(dataset, args.steps * args.batch, 0, token_budget(tokenizer, 512, False), weights)
    lengths = [pair_length(tokenizer, row, False) for row in picked]
    grouped = length_grouped(picked, lengths, args.batch, 0)
    # TRL stacks prompt+chosen and prompt+rejected of a batch and pads them to the longest of them.
    sides = [sequence_lengths(tokenizer, row) for row in grouped]
    batches = [[n for pair in sides[i: i + args.batch] for n in pair] for i in range(0, len(sides), args.batch)]
    padding = sum(max(b) * len(b) - sum(b) for b in batches) / sum(max(b) * len(b) for b in batches)

    with_ref, tokens = measure(grouped, config, precompute=False, steps=args.steps, batch=args.batch)
    precomputed, _ = measure(grouped, config, precompute=True, steps=args.steps, batch=args.batch)
    print(f"{args.steps} steps of {args.batch} pairs (<= 512 tokens, length-grouped): step {with_ref:.1f} s with the "
          f"reference forward, {precomputed:.1f} s with precomputed reference log-probs; "
          f"{tokens / precomputed:.0f} trained tokens/s")
    print(f"precompute step ratio: {precomputed / with_ref:.2f}, padding: {padding:.2f}")


if __name__ == "__main__":
    main()
