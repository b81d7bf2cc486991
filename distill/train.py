"""Student training with TRL: DPO (``trl.DPOTrainer``), an optional SFT warm start (``trl.SFTTrainer``),
LoRA through peft or full fine-tuning, checkpoints that a rerun resumes from.

Library code: plain arguments in (the recipe `distill.recipes.dpo` turns configuration into them).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("distill")


class FormattingError(RuntimeError):
    """The student's chat template does not render the prompt as a prefix of prompt + answer."""


def device_defaults(args: dict[str, Any]) -> dict[str, Any]:
    """Fill ``bf16`` and ``gradient_checkpointing`` left null in the config with the device's defaults:
    on for a CUDA GPU; off on a CPU, where bf16 without hardware support and recomputation each cost
    several times the step time (see README)."""
    import torch

    gpu = torch.cuda.is_available()
    filled = dict(args)
    for key in ("bf16", "gradient_checkpointing"):
        if filled.get(key) is None:
            filled[key] = gpu
    return filled


def uses_native_tools(tokenizer: Any, declared: bool | None) -> bool:
    """Train on the ``tools`` column when the template renders tools (TRL's check), else on the rendered variant."""
    from distill.formatting import template_renders_tools

    return template_renders_tools(tokenizer) if declared is None else declared


def check_prefix(tokenizer: Any, rows: Sequence[dict[str, Any]], with_tools: bool) -> None:
    """Fail when the tokenized prompt is not a prefix of the tokenized prompt + chosen answer.

    TRL only warns (and trains on a context the model never sees at inference); here it is an error.

    Raises:
        FormattingError: naming the first row that breaks, with the diverging text.
    """
    for row in rows:
        tools = row.get("tools") if with_tools else None
        kwargs = {"tools": tools} if tools else {}
        prompt = _ids(tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=True, **kwargs))
        full = _ids(tokenizer.apply_chat_template(row["prompt"] + row["chosen"], tokenize=True, **kwargs))
        if full[: len(prompt)] != prompt:
            cut = next((i for i, (a, b) in enumerate(zip(prompt, full, strict=False)) if a != b), len(full))
            raise FormattingError(
                f"task {row.get('task_id')}: the chat template renders the prompt differently once an answer "
                f"follows (diverges at token {cut}: {tokenizer.decode(prompt[cut:cut + 12])!r} vs "
                f"{tokenizer.decode(full[cut:cut + 12])!r}); use a template that renders the generation prompt "
                "as the start of the assistant turn")


def answers_in_format(view: Any, conversational: Any, call_format: str) -> Any:
    """The pairs `view` a student trains on (its conversational or rendered dataset) with the chosen and
    rejected answers' calls written as `call_format` says: ``template`` leaves them as they are; ``json``
    writes them as text lines (`distill.formatting.calls_as_json`), from `conversational`, the same pairs
    in the same order, where the calls are still structured. Prompts are never changed: a prompt is what
    the student is shown at inference."""
    from distill.formatting import calls_as_json

    if call_format == "template" or not len(view):  # an empty view has nothing to write (and datasets
        return view                                   # cannot map one onto its own features)

    def rewrite(_: dict[str, Any], index: int) -> dict[str, Any]:
        row = conversational[index]
        return {side: [calls_as_json(m) for m in row[side]] for side in ("chosen", "rejected")}

    if len(view) != len(conversational):
        raise ValueError(f"answers_in_format: {len(view)} rows in the view, {len(conversational)} in the pairs")
    return view.map(rewrite, with_indices=True, features=view.features, desc=f"answers as {call_format}")


def _ids(encoded: Any) -> list[int]:
    return list(encoded["input_ids"] if isinstance(encoded, dict) or hasattr(encoded, "keys") else encoded)


def stratified(dataset: Any, limit: int | None, seed: int, fits: Any = None,
               weights: dict[str, float] | None = None) -> Any:
    """At most `limit` rows spread over sub-tasks (seeded), so a short CPU run sees every sub-task.

    Each sub-task gets a share of `limit` proportional to its weight (1 unless `weights` says otherwise;
    0 leaves it out); a sub-task with too few rows hands its unused share to the others.
    `fits(row) -> bool`, when given, is checked lazily on the rows drawn (a token-length budget).
    """
    weights = dict(weights or {})
    subtasks = dataset["subtask"]
    unknown = sorted(set(weights) - set(subtasks))
    if unknown:
        log.warning("subtask_weights name sub-tasks absent from the pairs: %s", ", ".join(unknown))
    if (limit is None or limit >= len(dataset)) and fits is None and not weights:
        return dataset.shuffle(seed=seed)
    accept = None if fits is None else (lambda index: fits(dataset[index]))
    return dataset.select(spread(subtasks, limit, seed, weights, accept))


def spread(subtasks: Sequence[str], limit: int | None, seed: int, weights: dict[str, float] | None = None,
           accept: Any = None) -> list[int]:
    """Indices of at most `limit` items spread over their sub-tasks by weight (see `stratified`), in
    seeded random order; `accept(index) -> bool`, when given, is checked lazily on the items drawn."""
    weights = dict(weights or {})
    limit = len(subtasks) if limit is None else limit
    by_subtask: dict[str, list[int]] = {}
    for index, subtask in enumerate(subtasks):
        if weights.get(subtask, 1.0) > 0:
            by_subtask.setdefault(subtask, []).append(index)
    rng = random.Random(seed)
    for indices in by_subtask.values():
        rng.shuffle(indices)

    def draw(subtask: str) -> int | None:
        indices = by_subtask[subtask]
        while indices:
            index = indices.pop()
            if accept is None or accept(index):
                return index
        return None

    # Weighted round-robin: each pass, a sub-task draws until its running credit is used up, so the
    # shares hold at every prefix and a short limit is still spread over everything.
    credit = dict.fromkeys(by_subtask, 0.0)
    picked: list[int] = []
    while len(picked) < limit and any(by_subtask.values()):
        for subtask in by_subtask:
            credit[subtask] += weights.get(subtask, 1.0)
            while credit[subtask] >= 1.0 and by_subtask[subtask] and len(picked) < limit:
                credit[subtask] -= 1.0
                index = draw(subtask)
                if index is not None:
                    picked.append(index)
    rng.shuffle(picked)
    return picked


def one_per_task(dataset: Any) -> Any:
    """The first row of each task: a pairs set repeats a task's chosen answer once per rejected one,
    and SFT on the chosen answers wants each answer once."""
    seen: set[str] = set()
    first = [i for i, task in enumerate(dataset["task_id"]) if not (task in seen or seen.add(task))]
    return dataset.select(first)


def pair_length(tokenizer: Any, row: dict[str, Any], with_tools: bool) -> int:
    """Tokens of prompt + the longer of the two answers (what a batch is padded to)."""
    kwargs = {"tools": row["tools"]} if with_tools and row.get("tools") else {}
    return max(len(_ids(tokenizer.apply_chat_template(row["prompt"] + row[side], tokenize=True, **kwargs)))
               for side in ("chosen", "rejected"))


def token_budget(tokenizer: Any, limit: int | None, with_tools: bool) -> Any:
    """A `fits(row) -> bool` test: prompt + the longer answer within `limit` tokens (None: everything fits)."""
    if limit is None:
        return None
    return lambda row: pair_length(tokenizer, row, with_tools) <= limit


def length_grouped(dataset: Any, lengths: Sequence[int], batch_size: int, seed: int) -> Any:
    """Reorder rows so each batch holds pairs of similar length (little padding), batches in seeded random
    order; train with ``train_sampling_strategy=sequential`` so the order is kept."""
    order = sorted(range(len(dataset)), key=lambda i: lengths[i])
    batches = [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
    random.Random(seed).shuffle(batches)
    return dataset.select([i for batch in batches for i in batch])


def cpu_or_gpu(value: Any, cpu: Any, gpu: Any) -> Any:
    """Resolve an ``auto`` setting by device."""
    import torch

    if value != "auto":
        return value
    return gpu if torch.cuda.is_available() else cpu


def lora_on_top_layers(peft_config: Any, num_layers: int, fraction: float | None) -> Any:
    """`peft_config` with LoRA on the top `fraction` of the `num_layers` decoder layers only (null or 1: all).

    Backpropagation stops at the lowest adapted layer, so adapting the upper half of the layers saves
    most of the lower half's backward pass (a third of a DPO step on the embedded student). An explicit
    ``layers_to_transform`` in the peft config wins.
    """
    if peft_config is None or fraction is None or getattr(peft_config, "layers_to_transform", None) is not None:
        return peft_config
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction <= 1:
        raise ValueError(f"dpo.top_layers must be a fraction in (0, 1] or null, got {fraction!r}")
    if fraction == 1:
        return peft_config
    adapted = max(1, round(num_layers * fraction))
    narrowed = copy.deepcopy(peft_config)
    narrowed.layers_to_transform = list(range(num_layers - adapted, num_layers))
    log.info("LoRA on the top %d of %d decoder layers", adapted, num_layers)
    return narrowed


def last_checkpoint(folder: Path) -> str | None:
    """The newest *complete* checkpoint: a run killed while saving leaves one without trainer_state.json."""
    found = folder.glob("checkpoint-*") if folder.exists() else []
    complete = [p for p in found if (p / "trainer_state.json").exists()]
    complete.sort(key=lambda p: int(p.name.split("-")[1]))
    return str(complete[-1]) if complete else None


@contextlib.contextmanager
def completion_positions_only() -> Iterator[None]:
    """Have TRL's fused LM head score only the positions with a label (the answer), on a CPU too.

    TRL's trainers project hidden states through the LM head in tiles and keep only the labelled
    positions on CUDA/XPU; elsewhere they score every position, so that the tile shapes stay fixed for
    graph compilers such as Neuron's. A CPU compiles nothing, and there the prompt's positions are most
    of the LM-head work (a ~300-token prompt, a ~40-token answer, a 49k vocabulary): scoring them costs
    time and gives log-probs that are masked to zero anyway. The log-probs of the answer are the same
    either way (tests/test_train.py checks it). TRL versions without the switch are left as they are.
    """
    from trl.trainer import utils as trl_utils

    original = getattr(trl_utils, "_use_triton", None)
    if original is None:
        yield
        return
    trl_utils._use_triton = lambda device: device.type == "cpu" or original(device)
    try:
        yield
    finally:
        trl_utils._use_triton = original


def train_dpo(model: Any, tokenizer: Any, dataset: Any, args: dict[str, Any], peft_config: Any,
              output_dir: Path, callbacks: Sequence[Any] = ()) -> tuple[Any, list[dict[str, Any]]]:
    """Run `trl.DPOTrainer`; resumes from the newest checkpoint in `output_dir`. Returns (model, log history)."""
    from trl import DPOConfig, DPOTrainer

    config = DPOConfig(**{**args, "output_dir": str(output_dir)})
    if "ref" in getattr(model, "peft_config", {}):
        # An earlier round's frozen reference: TRL adds a fresh copy of the adapter as this round's.
        model.delete_adapter("ref")
    with completion_positions_only():
        trainer = DPOTrainer(model=model, args=config, train_dataset=dataset, processing_class=tokenizer,
                             peft_config=peft_config, callbacks=list(callbacks) or None)
        resume = last_checkpoint(output_dir)
        if resume:
            log.info("resuming DPO from %s", resume)
        trainer.train(resume_from_checkpoint=resume)
    return trainer.model, list(trainer.state.log_history)


def train_sft(model: Any, tokenizer: Any, dataset: Any, args: dict[str, Any], peft_config: Any,
              output_dir: Path) -> tuple[Any, list[dict[str, Any]]]:
    """SFT warm start on the chosen answers (prompt-completion rows: loss on the answer only); resumes
    from the newest checkpoint in `output_dir`.

    A LoRA warm start is merged into the weights, so that DPO's reference model is the SFT model.
    """
    from trl import SFTConfig, SFTTrainer

    rows = dataset.map(lambda r: {"completion": r["chosen"]}, remove_columns=["chosen", "rejected"])
    config = SFTConfig(**{**args, "output_dir": str(output_dir)})
    with completion_positions_only():
        trainer = SFTTrainer(model=model, args=config, train_dataset=rows, processing_class=tokenizer,
                             peft_config=peft_config)
        resume = last_checkpoint(output_dir)
        if resume:
            log.info("resuming the SFT warm start from %s", resume)
        trainer.train(resume_from_checkpoint=resume)
    model = trainer.model
    if peft_config is not None:
        model = model.merge_and_unload()
    return model, list(trainer.state.log_history)


def save_student(model: Any, tokenizer: Any, folder: Path, merge: bool) -> None:
    """The adapter (or, with `merge`, a merged full model) and the tokenizer, written atomically.

    Merging works on a copy: peft's `merge_and_unload` strips the adapter from the model it is called
    on, and the caller may go on training it (the student is saved for vLLM between on-policy rounds).
    """
    import copy
    import os
    import shutil

    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    to_save = copy.deepcopy(model).merge_and_unload() if merge and hasattr(model, "merge_and_unload") else model
    to_save.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)


def plot_curve(history: Sequence[dict[str, Any]], path: Path) -> None:
    """Loss, reward margin and reward accuracy per logging step (one line per round)."""
    from distill.report import line_panels

    rounds = sorted({h.get("round", 0) for h in history if "loss" in h})
    panels = [(title, [(f"round {number}", [(h["step"], h[key]) for h in history
                                            if h.get("round", 0) == number and key in h and "step" in h])
                       for number in rounds])
              for key, title in (("loss", "loss"), ("rewards/margins", "reward margin"),
                                 ("rewards/accuracies", "reward accuracy"))]
    line_panels(panels, "step", path, marker=".")
