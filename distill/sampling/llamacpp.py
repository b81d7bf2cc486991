"""llama.cpp in this process (``llama-cpp-python``): the CPU backend for GGUF models.

It runs the quantized file itself, with no conversion. Measured on 2 cores (``benchmarks/
bench_local_teacher.py``, AVX2 build, 18 tasks), it was 1.45x the tasks/s of transformers fp32 for
Qwen2.5-Coder-1.5B and 0.85x for the 0.5B: on a CPU with fast fp32 GEMMs the gain is small.

Prompts are rendered by the model's own chat template through its transformers tokenizer
(`distill.formatting.chat_prompt`, tools included when the template renders them), tokenized by
that tokenizer, and the generated ids decoded by it: the same prompt and text path as the ``hf``
backend, so the two are comparable answer for answer.

The n samples of a task are drawn one after another from the same prompt: llama.cpp keeps the KV
cache of the last sequence and re-evaluates only what differs, so the prompt is prefilled once per
task, not once per sample. Each sample is seeded by (seed, task, index) and starts from the same
state, so a rerun or a resumed run gives the same text for the same sample.

Needs the ``llamacpp`` extra (`make llamacpp`): PyPI has only the sdist of llama-cpp-python, which
builds from source with gcc and cmake in 3-7 minutes.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.formatting import chat_prompt, fix_chat_template, template_renders_tools
from distill.records import Sample, Task, Usage
from distill.sampling.base import Closing, SamplerConfig, SamplingParams, require, typed_options, wanted

_END_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>")
"""Turn ends besides the tokenizer's EOS; generation stops at any of them, as transformers' does."""


@dataclass(frozen=True)
class LlamaCppOptions:
    """``teacher.options`` of the llamacpp backend (llama.cpp's own parameter names)."""

    n_ctx: int = 4096
    """Context window: prompt + max_tokens must fit (Qwen's tool prompts reach ~1,300 tokens)."""
    n_threads: int | None = None
    """CPU threads; None: every core of this machine."""
    n_batch: int = 512
    """Prompt tokens evaluated per forward pass while prefilling."""
    n_gpu_layers: int = 0
    """Layers offloaded to a GPU by a CUDA/Metal build of llama.cpp (0 on the CPU build)."""
    tokenizer: str | None = None
    """A transformers folder whose tokenizer renders prompts; None: the model's own (see `resolve_gguf`)."""
    fix_template: bool = False
    """Correct the known bugs of the chat template before rendering (`distill.formatting.TEMPLATE_FIXES`:
    Qwen2.5-Coder-1.5B's doubled braces). Not in the teacher YAMLs, so adding it
    (``+teacher.options.fix_template=true``) keys its answers apart in the response cache."""


_INSTALL = ("the llamacpp backend needs llama-cpp-python: `make llamacpp` (or `make models`), which builds "
            "it from source (3-7 min)")


class LlamaCppSampler(Closing):
    """Samples a GGUF model with llama.cpp (the model is loaded on first use)."""

    def __init__(self, model: str, options: LlamaCppOptions | None = None, name: str | None = None,
                 progress: bool = True):
        self.llama_cpp = require("llama_cpp", _INSTALL)
        self.model, self.name, self.progress = model, name or model, progress
        self.options = options or LlamaCppOptions()
        self._llm: Any = None
        self._tokenizer: Any = None
        self._stops: set[int] = set()
        self._tools_in_template = False

    def _load(self) -> tuple[Any, Any]:
        if self._llm is None:
            from transformers import AutoTokenizer

            from distill.models import resolve_gguf

            gguf, tokenizer_dir = resolve_gguf(self.model)
            if self.options.tokenizer:
                tokenizer_dir = Path(self.options.tokenizer)
            self._tokenizer = (AutoTokenizer.from_pretrained(tokenizer_dir) if tokenizer_dir is not None
                               else AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name))
            opts = self.options
            self._llm = self.llama_cpp.Llama(
                model_path=str(gguf), n_ctx=opts.n_ctx, n_batch=opts.n_batch, n_gpu_layers=opts.n_gpu_layers,
                n_threads=opts.n_threads or os.cpu_count(), verbose=False)
            vocab = self._tokenizer.get_vocab()
            self._stops = {self._llm.token_eos(), *(vocab[t] for t in _END_TOKENS if t in vocab)}
            if self._tokenizer.eos_token_id is not None:
                self._stops.add(self._tokenizer.eos_token_id)
            if opts.fix_template:
                fix_chat_template(self._tokenizer, self.name)
            self._tools_in_template = template_renders_tools(self._tokenizer)
        return self._llm, self._tokenizer

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        llm, tokenizer = self._load()
        jobs = [(task, list(wanted(task, params, indices))) for task in tasks]
        jobs = [(task, idx) for task, idx in jobs if idx]
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=sum(len(idx) for _, idx in jobs), desc=f"llamacpp:{self.name}", unit="sample")
        for task, wanted_indices in jobs:
            prompt = chat_prompt(tokenizer, task.messages, task.tools, self._tools_in_template)
            ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
            if len(ids) + params.max_tokens <= self.options.n_ctx:
                # A canonical state before each task: the prompt but its last token, evaluated from
                # scratch. Every sample then evaluates that last token alone (llama.cpp's prefix reuse)
                # and starts from the same logits, bit for bit, whichever samples ran before it: a
                # resumed run draws what an uninterrupted one would have drawn.
                llm.reset()
                llm.eval(ids[:-1])
            for index in wanted_indices:
                yield self._one(llm, tokenizer, task, index, ids, params)
                if bar is not None:
                    bar.update()
        if bar is not None:
            bar.close()

    def _one(self, llm: Any, tokenizer: Any, task: Task, index: int, ids: list[int],
             params: SamplingParams) -> Sample:
        if len(ids) + params.max_tokens > self.options.n_ctx:
            return Sample(task.id, index, "llamacpp", self.name,
                          error=f"prompt of {len(ids)} tokens + max_tokens {params.max_tokens} exceeds "
                                f"n_ctx {self.options.n_ctx} (raise teacher.options.n_ctx)")
        # A seed per (run seed, task, sample), so a rerun or a resumed run draws the same samples.
        llm.set_seed(int(hashlib.sha256(f"{params.seed}:{task.id}#{index}".encode()).hexdigest()[:8], 16))
        started, out = time.monotonic(), []
        # top_k=0 and min_p=0 switch those filters off: plain temperature + top-p sampling, as the other
        # backends do (llama.cpp's defaults are top_k=40, min_p=0.05); temperature 0 is greedy.
        for token in llm.generate(ids, top_k=0, top_p=params.top_p, min_p=0.0, temp=params.temperature,
                                  repeat_penalty=1.0):
            if token in self._stops:
                break
            out.append(token)
            if len(out) >= params.max_tokens:
                break
        text = tokenizer.decode(out, skip_special_tokens=True).strip()
        return Sample(task.id, index, "llamacpp", self.name, text=text, usage=Usage(len(ids), len(out)),
                      latency_s=round(time.monotonic() - started, 4))

    def close(self) -> None:
        """Free the model and its KV cache."""
        if self._llm is not None and hasattr(self._llm, "close"):
            self._llm.close()
        self._llm = None


def from_config(config: SamplerConfig) -> LlamaCppSampler:
    return LlamaCppSampler(config.model, typed_options(LlamaCppOptions, config.options, "llamacpp"))
