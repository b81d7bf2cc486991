"""Anthropic Messages API with ``tools`` (``tool_use`` blocks), through the official ``anthropic`` SDK.

The Messages API has no ``n``: each sample is its own request. The system prompt goes in ``system``;
earlier calls become ``tool_use`` blocks and their results ``tool_result`` blocks in a user turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from distill.records import Sample, Task, ToolCall, Usage
from distill.sampling.api import ApiRunner, Job, LoopClient, Transient, api_key, estimate_tokens, retry_after_seconds
from distill.sampling.base import Closing, NoOptions, SamplerConfig, SamplingParams, typed_options, wanted
from distill.sampling.openai import SAMPLE_HEADER, wire_name


class AnthropicSampler(Closing):
    """Samples the Messages API. Construction checks the API key (before any work)."""

    def __init__(self, config: SamplerConfig, progress: bool = True):
        self.config = config
        self._key = api_key(config)
        from anthropic import AsyncAnthropic, DefaultAioHttpClient  # load the SDK now, not in the first request

        self.client = LoopClient(lambda: AsyncAnthropic(api_key=self._key, base_url=config.base_url, max_retries=0,
                                                        timeout=config.timeout_s, http_client=DefaultAioHttpClient()))
        self.runner = ApiRunner(config, self._request, classify, progress, close=self.client.close)

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        jobs = [Job(task, (i,), estimate_tokens(task, params, 1))
                for task in tasks for i in wanted(task, params, indices)]
        return self.runner.run(jobs, params)

    async def _request(self, task: Task, params: SamplingParams, indices: Sequence[int]) -> list[Sample]:
        client = self.client.get()
        names = {wire_name(t.name): t.name for t in task.tools}
        system, messages = to_anthropic_messages(task.messages)
        body: dict[str, Any] = {"model": self.config.model, "max_tokens": params.max_tokens, "messages": messages,
                                "temperature": min(params.temperature, 1.0)}
        if system:
            body["system"] = system
        if task.tools:
            body["tools"] = [{**t.to_anthropic(), "name": wire_name(t.name)} for t in task.tools]
        response = await client.messages.create(**body, extra_headers={SAMPLE_HEADER: f"{task.id}#{indices[0]}"})
        texts, calls = [], []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(names.get(block.name, block.name), dict(block.input or {}), block.id))
        (index,) = indices
        usage = Usage(response.usage.input_tokens, response.usage.output_tokens)
        return [Sample(task.id, index, self.config.backend, self.config.model, text="\n".join(texts) or None,
                       tool_calls=tuple(calls) or None, usage=usage, raw=response.model_dump(mode="json"))]


def to_anthropic_messages(messages: Sequence[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """(system text, turns) in the Messages API's shape; consecutive tool results share one user turn."""
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    ids: list[str] = []
    for number, message in enumerate(messages):
        role = message["role"]
        if role == "system":
            system.append(message.get("content") or "")
        elif role == "assistant":
            blocks: list[dict[str, Any]] = []
            if message.get("content"):
                blocks.append({"type": "text", "text": message["content"]})
            for k, call in enumerate(message.get("tool_calls") or ()):
                call_id = call.get("id") or f"toolu_{number}_{k}"
                ids.append(call_id)
                blocks.append({"type": "tool_use", "id": call_id, "name": wire_name(call["function"]["name"]),
                               "input": call["function"]["arguments"]})
            turns.append({"role": "assistant", "content": blocks})
        elif role == "tool":
            call_id = message.get("tool_call_id") or (ids.pop(0) if ids else f"toolu_{number}")
            block = {"type": "tool_result", "tool_use_id": call_id, "content": message.get("content") or ""}
            if turns and turns[-1]["role"] == "user" and isinstance(turns[-1]["content"], list):
                turns[-1]["content"].append(block)
            else:
                turns.append({"role": "user", "content": [block]})
        else:
            turns.append({"role": "user", "content": message.get("content") or ""})
    return "\n\n".join(system), turns


def classify(exc: BaseException) -> Transient | None:
    """429, 529 (overloaded), 5xx, timeouts, dropped connections and unreadable bodies are transient."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code == 429 or exc.status_code >= 500:
            return Transient(retry_after_seconds(exc.response.headers))
        return None
    if isinstance(exc, anthropic.APITimeoutError | anthropic.APIConnectionError | anthropic.APIResponseValidationError):
        return Transient()
    if isinstance(exc, ValueError | KeyError | TypeError | json.JSONDecodeError):
        return Transient()
    return None


def from_config(config: SamplerConfig) -> AnthropicSampler:
    typed_options(NoOptions, config.options, "anthropic")
    return AnthropicSampler(config)
