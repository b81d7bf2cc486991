"""OpenAI Chat Completions with ``tools`` (native ``tool_calls``), through the official ``openai`` SDK.

``base_url`` makes it any OpenAI-compatible server (``vllm serve``, llama.cpp server, Ollama); see
also the ``vllm_server`` backend. One request answers all wanted samples of a task (``n``), so the
prompt is billed once. The SDK's own retries are off: `distill.sampling.api` retries, politely.

Function names: OpenAI accepts ``[a-zA-Z0-9_-]{1,64}``; BFCL's dotted names (``math.factorial``) are
sent with dots replaced and mapped back in the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from distill.formatting import render_calls, render_conversation
from distill.records import Sample, Task, ToolCall, Usage
from distill.sampling.api import ApiRunner, Job, LoopClient, Transient, api_key, estimate_tokens, retry_after_seconds
from distill.sampling.base import Closing, NoOptions, SamplerConfig, SamplingParams, typed_options, wanted

_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")
SAMPLE_HEADER = "X-Distill-Sample"
"""Names the task and sample indices a request answers, so servers and tests can tell apart identical
bodies (Anthropic has no ``n``: two samples of a task are two identical requests)."""


def wire_name(name: str) -> str:
    return _UNSAFE.sub("_", name)[:64]


class OpenAISampler(Closing):
    """Samples a Chat Completions endpoint. Construction checks the API key (before any work)."""

    def __init__(self, config: SamplerConfig, key_required: bool = True, progress: bool = True,
                 render_tools: bool = False):
        self.config, self.render_tools = config, render_tools
        self._key = api_key(config, required=key_required) or "EMPTY"
        from openai import AsyncOpenAI, DefaultAioHttpClient  # load the SDK (seconds) now, not in the first request

        self.client = LoopClient(lambda: AsyncOpenAI(api_key=self._key, base_url=config.base_url, max_retries=0,
                                                     timeout=config.timeout_s, http_client=DefaultAioHttpClient()))
        self.runner = ApiRunner(config, self._request, classify, progress, close=self.client.close)

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        jobs = []
        for task in tasks:
            wanted_indices = tuple(wanted(task, params, indices))
            if wanted_indices:
                jobs.append(Job(task, wanted_indices, estimate_tokens(task, params, len(wanted_indices))))
        return self.runner.run(jobs, params)

    async def _request(self, task: Task, params: SamplingParams, indices: Sequence[int]) -> list[Sample]:
        client = self.client.get()
        names = {wire_name(t.name): t.name for t in task.tools}
        messages = render_conversation(task.messages, task.tools) if self.render_tools else task.messages
        body: dict[str, Any] = {
            "model": self.config.model, "messages": to_openai_messages(messages), "n": len(indices),
            "temperature": params.temperature, "top_p": params.top_p, "max_tokens": params.max_tokens,
            "seed": params.seed,
        }
        if task.tools and not self.render_tools:
            body["tools"] = [_wire_tool(t.to_openai()) for t in task.tools]
        tag = {SAMPLE_HEADER: f"{task.id}#{','.join(map(str, indices))}"}
        # The SDK's generic `post` with a raw response (its documented route for raw bodies) instead of
        # `chat.completions.create`: the same client, auth and error types, without the SDK's recursive
        # transform of the body (it walks every JSON schema of every tool) and its response models;
        # together they were half of the client's CPU per request.
        import httpx

        response = await client.post("/chat/completions", cast_to=httpx.Response, body=body, options={"headers": tag})
        data = response.json()
        choices = sorted(data["choices"], key=lambda c: c["index"])
        if len(choices) < len(indices):
            raise ValueError(f"server returned {len(choices)} choices for n={len(indices)}")
        usage = data.get("usage") or {}
        prompt, completion = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0) // len(choices)
        samples = []
        for index, choice in zip(indices, choices, strict=False):
            text, calls = _read_message(choice["message"], names)
            samples.append(Sample(task.id, index, self.config.backend, self.config.model, text=text,
                                  tool_calls=calls, usage=Usage(prompt, completion), raw=choice))
        return samples


def _wire_tool(spec: dict[str, Any]) -> dict[str, Any]:
    fn = spec["function"]
    return {"type": "function", "function": {**fn, "name": wire_name(fn["name"])}}


def _read_message(message: dict[str, Any], names: dict[str, str]) -> tuple[str | None, tuple[ToolCall, ...] | None]:
    """Native calls when the arguments are JSON objects; otherwise the calls are written out as text,
    so that malformed arguments reach the verifier as a parse error instead of crashing here."""
    calls, broken = [], []
    for tc in message.get("tool_calls") or []:
        fn = tc["function"]
        name, raw_args = names.get(fn["name"], fn["name"]), fn.get("arguments") or "{}"
        try:
            args = json.loads(raw_args)
        except (ValueError, RecursionError):
            args = None
        if isinstance(args, dict):
            calls.append(ToolCall(name, args, tc.get("id")))
        else:
            broken.append(f'<tool_call>{{"name": {json.dumps(name)}, "arguments": {raw_args}}}</tool_call>')
    if broken:
        text = "\n".join([message.get("content") or "", render_calls(calls), *broken]).strip()
        return text, None
    return message.get("content"), tuple(calls) or None


def to_openai_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records' chat format -> OpenAI's wire format (arguments as JSON strings, call ids, names)."""
    out: list[dict[str, Any]] = []
    pending_ids: list[str] = []
    for number, message in enumerate(messages):
        if message["role"] == "assistant" and message.get("tool_calls"):
            calls = []
            for k, call in enumerate(message["tool_calls"]):
                call_id = call.get("id") or f"call_{number}_{k}"
                pending_ids.append(call_id)
                fn = call["function"]
                calls.append({"id": call_id, "type": "function",
                              "function": {"name": wire_name(fn["name"]), "arguments": json.dumps(fn["arguments"])}})
            # "" rather than null: OpenAI takes either, but llama.cpp's server types content as a string
            # (null is a 500), and chat templates that read message.content fail when the key is absent.
            out.append({"role": "assistant", "content": message.get("content") or "", "tool_calls": calls})
        elif message["role"] == "tool":
            call_id = message.get("tool_call_id") or (pending_ids.pop(0) if pending_ids else f"call_{number}")
            out.append({"role": "tool", "tool_call_id": call_id, "content": message.get("content") or ""})
        else:
            out.append({"role": message["role"], "content": message.get("content") or ""})
    return out


_MALFORMED = re.compile(r"validation error|Input should be|Field required|Extra inputs are not permitted|"
                        r"is not valid under any of the given schemas|Requested tokens .* exceed context window|"
                        r"'\w+ object' has no attribute|UndefinedError|TemplateError")
"""Error messages that some OpenAI-compatible servers (llama.cpp's among them) send with a 500 when they
reject the request itself (schema validation, a chat template that cannot render it): retrying such a
request gets the same answer every time."""


def classify(exc: BaseException) -> Transient | None:
    """429, 5xx, timeouts, dropped connections and unreadable bodies are transient; the rest is not,
    nor is a 5xx whose message says the request itself was rejected (`_MALFORMED`)."""
    import openai

    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500 and _MALFORMED.search(str(exc)):
        return None
    if isinstance(exc, openai.RateLimitError | openai.InternalServerError):
        return Transient(retry_after_seconds(getattr(exc.response, "headers", None)))
    if isinstance(exc, openai.APIStatusError):
        return Transient(retry_after_seconds(exc.response.headers)) if exc.status_code >= 500 else None
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | openai.APIResponseValidationError):
        return Transient()
    if isinstance(exc, ValueError | KeyError | TypeError | AttributeError):
        return Transient()  # a truncated or malformed body the SDK could not read
    return None


def from_config(config: SamplerConfig) -> OpenAISampler:
    typed_options(NoOptions, config.options, "openai")
    return OpenAISampler(config)
