"""How likely is Qwen2.5-Coder-0.5B to write its own template's call tag? Prints, over the first test tasks
of the experiment's evaluation run, the log-prob the student gives ``<tool_call>`` as the first token of its
answer (its chat template asks for every call inside those tags) and the share of tasks where it is the
most likely token, for the base model and for each trained model named.

    python results/granular_vs_umbrella_qwen/tag_logprob.py [--tasks N] [MODEL_DIR ...]

MODEL_DIR is a ``make dpo`` run's ``model/`` folder (an arm's ``outputs/dpo/<run>/model``: a LoRA adapter,
or the merged model of a run with an SFT warm start). Needs
``make models`` and the experiment's tasks run (``outputs/tasks/granular_vs_umbrella_qwen``, which
``commands.sh`` makes first). Run from the repository root; on 2 CPU cores a few seconds a task and model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

TASKS_RUN = Path("outputs/tasks/granular_vs_umbrella_qwen")


def first_token_logprobs(model, tokenizer, prompts: list[str], token: int) -> list[tuple[float, bool]]:
    """(log-prob of `token`, whether it is the argmax) at the first answer position of each prompt."""
    import torch

    out = []
    for prompt in prompts:
        ids = torch.tensor([tokenizer(prompt, add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            logprobs = model(ids, logits_to_keep=1).logits[0, -1].log_softmax(-1)
        out.append((logprobs[token].item(), int(logprobs.argmax()) == token))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", type=Path, help="trained runs' model/ folders (adapter or merged)")
    parser.add_argument("--tasks", type=int, default=20, help="test tasks with tools to measure (default 20)")
    args = parser.parse_args()
    missing = [str(folder) for folder in args.models if not folder.is_dir()]
    if missing:
        parser.error(f"no such model folder: {', '.join(missing)}")

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill import io
    from distill.formatting import chat_prompt
    from distill.local_models import hf_dir

    base_dir = hf_dir("qwen2.5-coder-0.5b")
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    tag = tokenizer.convert_tokens_to_ids("<tool_call>")
    tasks = [t for t in io.read_tasks(TASKS_RUN) if t.split == "test" and t.tools][: args.tasks]
    prompts = [chat_prompt(tokenizer, t.messages, t.tools, True) for t in tasks]
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    print(f"<tool_call> (token {tag}) as the first answer token, {len(prompts)} test tasks with tools:", flush=True)
    report("base", first_token_logprobs(model, tokenizer, prompts, tag))
    for folder in args.models:
        if (folder / "adapter_config.json").exists():
            trained = PeftModel.from_pretrained(model, folder)
            report(str(folder), first_token_logprobs(trained, tokenizer, prompts, tag))
            model = trained.unload()  # the base weights again, for the next adapter
        else:  # a run saved merged (an SFT warm start)
            merged = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
            report(str(folder), first_token_logprobs(merged, tokenizer, prompts, tag))
            del merged
    return 0


def report(name: str, values: list[tuple[float, bool]]) -> None:
    logprobs = [v for v, _ in values]
    top = sum(is_top for _, is_top in values)
    print(f"  {name}: median log-prob {statistics.median(logprobs):.1f} (min {min(logprobs):.1f}, "
          f"max {max(logprobs):.1f}); most likely token on {top} of {len(values)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
