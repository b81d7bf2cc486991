"""Any OpenAI-compatible server on ``base_url`` (``vllm serve MODEL --enable-auto-tool-choice
--tool-call-parser hermes``, ``python -m llama_cpp.server``, Ollama): the openai backend with the key
optional.

``options.render_tools=true`` is for servers whose chat template ignores ``tools`` (SmolLM2's plain
ChatML, for one): distill then renders the tools into the system message and earlier calls as
``<tool_call>`` text itself (`distill.formatting`), and sends no ``tools`` field.
"""

from __future__ import annotations

from dataclasses import dataclass

from distill.sampling.base import SamplerConfig, typed_options
from distill.sampling.openai import OpenAISampler


@dataclass(frozen=True)
class ServerOptions:
    """``teacher.options`` of the vllm_server backend."""

    render_tools: bool = False
    """Render tools and calls into the messages (for templates without tool support)."""


def from_config(config: SamplerConfig) -> OpenAISampler:
    """Raises:
        ValueError: when no base_url is configured, or for an unknown option.
    """
    if not config.base_url:
        raise ValueError("teacher.base_url must point at the server, e.g. http://127.0.0.1:8000/v1")
    options = typed_options(ServerOptions, config.options, "vllm_server")
    return OpenAISampler(config, key_required=False, render_tools=options.render_tools)
