"""Any OpenAI-compatible server on ``base_url`` (``vllm serve MODEL --enable-auto-tool-choice
--tool-call-parser hermes``, llama.cpp server, Ollama): the openai backend with the key optional."""

from __future__ import annotations

from distill.sampling.base import SamplerConfig
from distill.sampling.openai import OpenAISampler


def from_config(config: SamplerConfig) -> OpenAISampler:
    """Raises:
        ValueError: when no base_url is configured.
    """
    if not config.base_url:
        raise ValueError("teacher.base_url must point at the server, e.g. http://127.0.0.1:8000/v1")
    return OpenAISampler(config, key_required=False)
