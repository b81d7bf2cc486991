"""Hugging Face transformers batched generation: the student sampler on machines without vLLM.

Prompts go through the chat template's own tool support when it has one, else through distill's
rendering (`distill.formatting`). Prompts are sorted by length and left-padded in batches, so little
compute goes to padding. The answer is raw text; the verifier parses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distill.formatting import chat_prompt, fix_chat_template, template_renders_tools
from distill.records import Sample, Task, Usage
from distill.sampling.base import Closing, SamplerConfig, SamplingParams, typed_options, wanted


class HFSampler(Closing):
    """Samples a causal LM in this process. Load from a student name/path, or wrap a loaded model."""

    def __init__(self, model: str, dtype: str = "float32", batch_size: int = 8, tools_in_template: bool | None = None,
                 backend: str = "hf", progress: bool = True, fix_template: bool = False):
        self.model_name, self.dtype, self.batch_size, self.backend = model, dtype, batch_size, backend
        self.tools_in_template, self.progress, self.fix_template = tools_in_template, progress, fix_template
        self._model: Any = None
        self._tokenizer: Any = None

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any, name: str, batch_size: int = 8, **kwargs: Any) -> HFSampler:
        sampler = cls(name, batch_size=batch_size, **kwargs)
        sampler._model, sampler._tokenizer = model, tokenizer
        return sampler

    def close(self) -> None:
        """Drop this sampler's references to the model (a model it loaded is then freed; one it was given
        stays with its owner)."""
        self._model = self._tokenizer = None

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            from distill.models import load_student

            self._model, self._tokenizer = load_student(self.model_name, self.dtype)
            if self.fix_template:
                fix_chat_template(self._tokenizer, self.model_name)
        if self.tools_in_template is None:
            self.tools_in_template = template_renders_tools(self._tokenizer)
        return self._model, self._tokenizer

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        model, tokenizer = self._load()
        jobs = [(task, i, chat_prompt(tokenizer, task.messages, task.tools, bool(self.tools_in_template)))
                for task in tasks for i in wanted(task, params, indices)]
        jobs.sort(key=lambda job: len(job[2]))
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), desc=f"hf:{self.model_name}", unit="sample")
        for start in range(0, len(jobs), self.batch_size):
            batch = jobs[start: start + self.batch_size]
            yield from self._generate(model, tokenizer, batch, params)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()

    def _generate(self, model: Any, tokenizer: Any, batch: list[tuple[Task, int, str]],
                  params: SamplingParams) -> list[Sample]:
        import time

        import torch

        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        inputs = tokenizer([prompt for _, _, prompt in batch], return_tensors="pt", padding=True,
                           add_special_tokens=False).to(model.device)
        # Seeded by the batch's content, so the same requests give the same samples on a rerun.
        key = "|".join(f"{t.id}#{i}" for t, i, _ in batch)
        torch.manual_seed(int(hashlib.sha256(f"{params.seed}:{key}".encode()).hexdigest()[:8], 16))
        sampling = params.temperature > 0
        started = time.monotonic()
        with torch.no_grad():
            output = model.generate(**inputs, max_new_tokens=params.max_tokens, do_sample=sampling,
                                    temperature=params.temperature if sampling else None,
                                    top_p=params.top_p if sampling else None, pad_token_id=tokenizer.pad_token_id)
        latency = (time.monotonic() - started) / len(batch)
        new = output[:, inputs["input_ids"].shape[1]:]
        samples = []
        for row, (task, index, _) in enumerate(batch):
            tokens = new[row]
            length = int((tokens != tokenizer.pad_token_id).sum())
            text = tokenizer.decode(tokens, skip_special_tokens=True).strip()
            samples.append(Sample(task.id, index, self.backend, self.model_name, text=text,
                                  usage=Usage(int(inputs["attention_mask"][row].sum()), length), latency_s=latency))
        return samples


@dataclass(frozen=True)
class HFOptions:
    """``teacher.options`` of the hf backend."""

    dtype: str = "float32"
    """torch dtype the model is loaded in (float32, bfloat16, float16)."""
    batch_size: int = 8
    """Prompts generated together (sorted by length, left-padded)."""
    tools_in_template: bool | None = None
    """Pass tools to the chat template (True) or render them into the system message (False); None:
    whichever the template supports."""
    fix_template: bool = False
    """Correct the known bugs of the chat template before rendering (see the llamacpp backend's option)."""


def from_config(config: SamplerConfig) -> HFSampler:
    options = typed_options(HFOptions, config.options, "hf")
    return HFSampler(config.model, dtype=options.dtype, batch_size=options.batch_size,
                     tools_in_template=options.tools_in_template, fix_template=options.fix_template)
