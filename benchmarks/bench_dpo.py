"""DPO step cost on the embedded student (LoRA, CPU defaults): step time with and without precomputed
reference log-probs, training tokens/s, and the padding fraction of distill's length-grouped batches.

Uses the default pairs run (run `make pairs` first) and the same selection as `make dpo`. Last line:
`precompute step ratio: R, padding: P`. Goals (issue 7): R <= 0.7, P <= 0.15. On a GPU machine it
also reports vLLM vs HF sampling tokens/s when vLLM is installed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from distill import io
from distill.models import load_student
from distill.train import device_defaults, length_grouped, pair_length, stratified, token_budget


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


def measure(dataset: Any, precompute: bool, steps: int, batch: int) -> tuple[float, int]:
    """(median seconds per step after the first, trained tokens per step)."""
    from peft import LoraConfig
    from trl import DPOConfig, DPOTrainer

    model, tokenizer = load_student("embedded")
    args = device_defaults({"output_dir": "/tmp/bench_dpo", "max_steps": steps, "per_device_train_batch_size": batch,
                            "precompute_ref_log_probs": precompute, "report_to": "none", "save_strategy": "no",
                            "logging_steps": 1, "max_length": 1024, "learning_rate": 2e-4, "bf16": None,
                            "gradient_checkpointing": None, "train_sampling_strategy": "sequential",
                            "loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, 0.2]})
    lora = LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                            "up_proj", "down_proj"], task_type="CAUSAL_LM")
    timer = StepTimer()
    trainer = DPOTrainer(model=model, args=DPOConfig(**args), train_dataset=dataset, processing_class=tokenizer,
                         peft_config=lora, callbacks=[timer.callback])
    trainer.train()
    tokens = trainer.state.log_history[-2].get("num_tokens", 0) / max(1, steps)
    timed = sorted(timer.steps[1:]) or timer.steps
    return timed[len(timed) // 2], int(tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="outputs/pairs/default")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    _, tokenizer = load_student("embedded")
    dataset = io.load_dataset(Path(args.pairs) / "rendered")
    picked = stratified(dataset, args.steps * args.batch, 0, token_budget(tokenizer, 512, False))
    lengths = [pair_length(tokenizer, row, False) for row in picked]
    grouped = length_grouped(picked, lengths, args.batch, 0)
    # TRL stacks prompt+chosen and prompt+rejected of a batch and pads them to the longest of them.
    sides = [sequence_lengths(tokenizer, row) for row in grouped]
    batches = [[n for pair in sides[i: i + args.batch] for n in pair] for i in range(0, len(sides), args.batch)]
    padding = sum(max(b) * len(b) - sum(b) for b in batches) / sum(max(b) * len(b) for b in batches)

    with_ref, tokens = measure(grouped, precompute=False, steps=args.steps, batch=args.batch)
    precomputed, _ = measure(grouped, precompute=True, steps=args.steps, batch=args.batch)
    print(f"{args.steps} steps of {args.batch} pairs (<= 512 tokens, length-grouped): step {with_ref:.1f} s with the "
          f"reference forward, {precomputed:.1f} s with precomputed reference log-probs; "
          f"{tokens / precomputed:.0f} trained tokens/s")
    print(f"precompute step ratio: {precomputed / with_ref:.2f}, padding: {padding:.2f}")


if __name__ == "__main__":
    main()
