"""A loopback HTTP server speaking the subset of OpenAI Chat Completions (``POST /v1/chat/completions``)
and Anthropic Messages (``POST /v1/messages``) that distill uses, with fault injection.

It lets the real ``openai`` and ``anthropic`` SDKs be tested and benchmarked with no network: latency,
429 with ``Retry-After``, 500, truncated and malformed bodies and hangs, drawn per (request body,
attempt) from a seeded plan so runs are reproducible. After `FaultPlan.clean_after` attempts a request
always succeeds; a request whose user text contains ``PERMANENT-FAIL`` always gets a 400, and one
containing ``REJECTED-500`` a 500 whose message is a request validation error, the way llama.cpp's
server answers a request its schema rejects.
The answer calls the first listed tool with placeholder arguments (or says "ok" without tools).

It binds 127.0.0.1 only. Run it in-process (`LoopbackServer.start`) or alone:
``python -m distill.sampling.loopback --latency 0.05`` prints its base URL and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

PERMANENT_FAIL = "PERMANENT-FAIL"
REJECTED_500 = "REJECTED-500"


@dataclass(frozen=True)
class FaultPlan:
    latency_s: float = 0.0
    rate_429: float = 0.0
    retry_after_s: float = 0.05
    rate_500: float = 0.0
    rate_truncated: float = 0.0
    rate_malformed: float = 0.0
    rate_hang: float = 0.0
    hang_s: float = 30.0
    clean_after: int = 3
    seed: int = 0
    reject_key: bool = False
    """Refuse every request with a 401 whose body echoes the API key it was sent (as some servers do)."""


class LoopbackServer:
    """The fake API. `attempts[digest]` and `successes[digest]` count what each request body got."""

    def __init__(self, plan: FaultPlan | None = None):
        self.plan = plan or FaultPlan()
        self.attempts: Counter[str] = Counter()
        self.successes: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.seen_headers: list[dict[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Serve from a background thread; returns the base URL."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self.base_url

    def stop(self) -> None:
        """Close the listener, cancel open connections (hung ones included) and end the thread."""
        if self._loop is not None and self._server is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                pairs = (line.partition(":") for line in lines[1:] if line)
                headers = {k.strip().lower(): v.strip() for k, _, v in pairs}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if not await self._respond(writer, path, headers, body):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, path: str, headers: dict[str, str], body: bytes) -> bool:
        """Answer one request; False when the connection must close."""
        self.seen_headers.append(headers)
        tag = headers.get("x-distill-sample", "").encode()
        digest = hashlib.sha256(body + b"|" + tag).hexdigest()[:16]
        self.attempts[digest] += 1
        attempt = self.attempts[digest]
        if self.plan.latency_s:
            await asyncio.sleep(self.plan.latency_s)
        request = json.loads(body or b"{}")
        if self.plan.reject_key:
            key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
            return await _send(writer, 401, {"error": {"type": "authentication_error",
                                                       "message": f"Incorrect API key provided: {key}"}})
        if PERMANENT_FAIL in json.dumps(request.get("messages", [])):
            return await _send(writer, 400, {"error": {"type": "invalid_request_error", "message": "permanent"}})
        if REJECTED_500 in json.dumps(request.get("messages", [])):
            message = ("1 validation error for ChatCompletionRequestAssistantMessage\n"
                       "content\n  Input should be a valid string")
            return await _send(writer, 500, {"error": {"type": "internal_server_error", "message": message}})
        fault = self._draw_fault(digest, attempt)
        if fault:
            self.faults[fault] += 1
        if fault == "429":
            return await _send(writer, 429, {"error": {"type": "rate_limit_error", "message": "slow down"}},
                               {"retry-after": str(self.plan.retry_after_s)})
        if fault == "500":
            return await _send(writer, 500, {"error": {"type": "api_error", "message": "boom"}})
        if fault == "hang":
            await asyncio.sleep(self.plan.hang_s)
            return False
        payload = _anthropic_answer(request) if path.endswith("/messages") else _openai_answer(request)
        if fault == "truncated":
            data = json.dumps(payload).encode()
            writer.write(_head(200, len(data), {}) + data[: len(data) // 2])
            await writer.drain()
            return False
        if fault == "malformed":
            data = b'{"id": "x", "choices": [ {not json'
            writer.write(_head(200, len(data), {}) + data)
            await writer.drain()
            return True
        self.successes[digest] += 1
        return await _send(writer, 200, payload)

    def _draw_fault(self, digest: str, attempt: int) -> str | None:
        if attempt >= self.plan.clean_after:
            return None
        roll = random.Random(f"{self.plan.seed}:{digest}:{attempt}").random()  # noqa: S311
        edge = 0.0
        for name, rate in (("429", self.plan.rate_429), ("500", self.plan.rate_500),
                           ("truncated", self.plan.rate_truncated), ("malformed", self.plan.rate_malformed),
                           ("hang", self.plan.rate_hang)):
            edge += rate
            if roll < edge:
                return name
        return None


def _head(status: int, length: int, extra: dict[str, str]) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests",
              500: "Internal Server Error"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {length}",
             *(f"{k}: {v}" for k, v in extra.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _send(writer: asyncio.StreamWriter, status: int, payload: Any, extra: dict[str, str] | None = None) -> bool:
    data = json.dumps(payload).encode()
    writer.write(_head(status, len(data), extra or {}) + data)
    await writer.drain()
    return True


def _placeholder_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    defaults = {"integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}
    props = schema.get("properties", {})
    return {k: (props[k].get("enum") or [defaults.get(props[k].get("type"), "x")])[0]
            for k in schema.get("required", []) if k in props}


def _openai_answer(request: dict[str, Any]) -> dict[str, Any]:
    tools = request.get("tools") or []
    choices = []
    for index in range(int(request.get("n") or 1)):
        if tools:
            fn = tools[0]["function"]
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": f"call_{index}", "type": "function",
                "function": {"name": fn["name"],
                             "arguments": json.dumps(_placeholder_arguments(fn.get("parameters", {})))}}]}
        else:
            message = {"role": "assistant", "content": "ok"}
        choices.append({"index": index, "message": message, "finish_reason": "tool_calls" if tools else "stop"})
    return {"id": "chatcmpl-loopback", "object": "chat.completion", "created": 0, "model": request.get("model", "m"),
            "choices": choices, "usage": {"prompt_tokens": 50, "completion_tokens": 10 * len(choices),
                                          "total_tokens": 50 + 10 * len(choices)}}


def _anthropic_answer(request: dict[str, Any]) -> dict[str, Any]:
    tools = request.get("tools") or []
    if tools:
        content = [{"type": "tool_use", "id": "toolu_0", "name": tools[0]["name"],
                    "input": _placeholder_arguments(tools[0].get("input_schema", {}))}]
    else:
        content = [{"type": "text", "text": "ok"}]
    return {"id": "msg_loopback", "type": "message", "role": "assistant", "model": request.get("model", "m"),
            "content": content, "stop_reason": "tool_use" if tools else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 50, "output_tokens": 10}}


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the loopback fake API on 127.0.0.1 until killed.")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    server = LoopbackServer(FaultPlan(latency_s=args.latency))
    print(server.start(), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
