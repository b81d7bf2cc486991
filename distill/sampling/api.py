"""Polite, concurrent requests to a model API: the machinery the openai and anthropic backends share.

- asyncio with a concurrency limit (a semaphore);
- token buckets on requests per minute and tokens per minute (tokens estimated before the request,
  corrected with the reported usage after it);
- retries with exponential backoff and full jitter on 429, 5xx, timeouts, dropped connections and
  unreadable bodies, honouring ``Retry-After``; any other error is permanent at once;
- a request that fails for good becomes Samples with ``error`` set (the cache records them as
  failures and the next run retries them);
- results stream back to synchronous code as they complete (a background event loop and a queue),
  with a progress bar showing rate and ETA.
"""

from __future__ import annotations

import asyncio
import os
import queue
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.records import Sample, Task
from distill.sampling.base import SamplerConfig, SamplingParams


class MissingAPIKey(RuntimeError):
    """The environment variable holding an API key is not set (raised before any work)."""


def api_key(config: SamplerConfig, required: bool = True) -> str | None:
    """The key from the environment variable the config names.

    Raises:
        MissingAPIKey: naming the variable, when it is required and unset.
    """
    if not config.api_key_env:
        if required:
            raise MissingAPIKey(f"teacher.api_key_env is not set for backend {config.backend!r}")
        return None
    value = os.environ.get(config.api_key_env, "")
    if not value and required:
        raise MissingAPIKey(f"the {config.backend} backend needs an API key: set the environment variable "
                            f"{config.api_key_env}")
    return value or None


@dataclass(frozen=True)
class Transient:
    """Classification of an error as retryable, with the server's requested delay if it gave one."""

    retry_after: float | None = None


Classifier = Callable[[BaseException], Transient | None]
"""Returns `Transient` for errors worth retrying, None for permanent ones."""

Request = Callable[[Task, SamplingParams, Sequence[int]], Awaitable[list[Sample]]]
"""Makes one API request that answers the given sample indices of a task."""


class TokenBucket:
    """A bucket refilled at `rate` per second up to `capacity`; `take` waits until enough is in it."""

    def __init__(self, per_minute: float | None):
        self.rate = (per_minute or 0) / 60.0
        self.capacity = max(1.0, (per_minute or 0) / 6.0)  # 10 s worth of burst
        self.level = self.capacity
        self.stamp = time.monotonic()

    async def take(self, amount: float) -> None:
        if self.rate <= 0:
            return
        amount = min(amount, self.capacity)
        while True:
            now = time.monotonic()
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.level >= amount:
                self.level -= amount
                return
            await asyncio.sleep((amount - self.level) / self.rate)

    def refund(self, amount: float) -> None:
        if self.rate > 0:
            self.level = min(self.capacity, self.level + amount)


@dataclass
class ApiCounters:
    """Totals for the manifest."""

    requests: int = 0
    retries: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    task: Task
    indices: tuple[int, ...]
    estimated_tokens: int


class ApiRunner:
    """Runs jobs against an API with the limits of one `SamplerConfig`."""

    def __init__(self, config: SamplerConfig, request: Request, classify: Classifier, progress: bool = True,
                 close: Callable[[], Awaitable[None]] | None = None):
        self.config, self.request, self.classify, self.progress = config, request, classify, progress
        self.close = close
        """Called at the end of each run, inside its event loop (to close the backend's HTTP client)."""
        self.counters = ApiCounters()

    def run(self, jobs: Sequence[Job], params: SamplingParams) -> Iterator[Sample]:
        """Yield samples as requests complete; every job ends in samples (successful or failed)."""
        if not jobs:
            return
        out: queue.Queue[list[Sample] | BaseException] = queue.Queue()
        stop = threading.Event()
        thread = threading.Thread(target=lambda: self._loop(jobs, params, out, stop), daemon=True)
        thread.start()
        bar = _progress(sum(len(j.indices) for j in jobs), self.config, self.progress)
        try:
            for _ in range(len(jobs)):
                item = out.get()
                if isinstance(item, BaseException):
                    raise item
                if bar is not None:
                    bar.update(len(item))
                yield from item
        finally:
            stop.set()
            thread.join(timeout=5)
            if bar is not None:
                bar.close()

    def _loop(self, jobs: Sequence[Job], params: SamplingParams, out: queue.Queue[Any], stop: threading.Event) -> None:
        try:
            asyncio.run(self._main(jobs, params, out, stop))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread, which re-raises it
            out.put(exc)

    async def _main(self, jobs: Sequence[Job], params: SamplingParams, out: queue.Queue[Any],
                    stop: threading.Event) -> None:
        semaphore = asyncio.Semaphore(max(1, self.config.concurrency))
        requests = TokenBucket(self.config.requests_per_minute)
        tokens = TokenBucket(self.config.tokens_per_minute)

        async def one(job: Job) -> None:
            async with semaphore:
                if not stop.is_set():
                    out.put(await self._attempts(job, params, requests, tokens))

        pending = [asyncio.ensure_future(one(job)) for job in jobs]
        try:
            while pending and not stop.is_set():
                _, rest = await asyncio.wait(pending, timeout=0.2)
                pending = list(rest)
            for task in pending:
                task.cancel()
        finally:
            if self.close is not None:
                await self.close()

    async def _attempts(self, job: Job, params: SamplingParams, requests: TokenBucket,
                        tokens: TokenBucket) -> list[Sample]:
        for attempt in range(self.config.max_retries + 1):
            await requests.take(1)
            await tokens.take(job.estimated_tokens)
            self.counters.requests += 1
            started = time.monotonic()
            try:
                samples = await self.request(job.task, params, job.indices)
            except Exception as exc:  # noqa: BLE001 - every failure is classified below
                transient = self.classify(exc)
                name = type(exc).__name__
                self.counters.errors[name] = self.counters.errors.get(name, 0) + 1
                if transient is None or attempt == self.config.max_retries:
                    self.counters.failures += 1
                    return [self._failed(job, i, f"{name}: {exc}"[:500]) for i in job.indices]
                self.counters.retries += 1
                await asyncio.sleep(self._delay(attempt, transient.retry_after))
                continue
            latency = time.monotonic() - started
            self._account(samples, job, tokens)
            return [_with_latency(s, latency) for s in samples]
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, 120.0)
        return random.uniform(0, min(30.0, 0.25 * 2**attempt))  # full jitter  # noqa: S311

    def _account(self, samples: list[Sample], job: Job, tokens: TokenBucket) -> None:
        used = 0
        for sample in samples[:1]:  # one request: usage is reported once for all its choices
            used = sample.usage.prompt_tokens + sample.usage.completion_tokens
            self.counters.prompt_tokens += sample.usage.prompt_tokens
            self.counters.completion_tokens += sum(s.usage.completion_tokens for s in samples)
            price_in, price_out = self.config.price_per_mtok
            self.counters.cost_usd += (sample.usage.prompt_tokens * price_in
                                       + sum(s.usage.completion_tokens for s in samples) * price_out) / 1e6
        tokens.refund(max(0, job.estimated_tokens - used))

    def _failed(self, job: Job, index: int, error: str) -> Sample:
        return Sample(job.task.id, index, self.config.backend, self.config.model, error=error)


def _with_latency(sample: Sample, latency: float) -> Sample:
    from dataclasses import replace

    return replace(sample, latency_s=round(latency, 4))


class LoopClient:
    """One SDK client per event loop (the runner starts a fresh loop per `sample` call), closed at its end.

    `factory()` builds the client inside the running loop; the SDKs' aiohttp transport is used because
    httpx's connection pool costs about twice the CPU per request at high concurrency.
    """

    def __init__(self, factory: Callable[[], Any]):
        self.factory = factory
        self._held: tuple[Any, Any] | None = None

    def get(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._held is None or self._held[0] is not loop:
            self._held = (loop, self.factory())
        return self._held[1]

    async def close(self) -> None:
        if self._held is not None:
            await self._held[1].close()
            self._held = None


def estimate_tokens(task: Task, params: SamplingParams, n: int) -> int:
    """A rough prompt + completion token estimate for the tokens-per-minute bucket (4 characters a token)."""
    size = sum(len(str(m.get("content") or "")) for m in task.messages)
    size += sum(len(str(t.parameters)) + len(t.description) for t in task.tools)
    return size // 4 + params.max_tokens * n


def _progress(total: int, config: SamplerConfig, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=f"{config.backend}:{config.model}", unit="sample", smoothing=0.1)


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` or ``retry-after`` (seconds) from response headers, if present and numeric."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None
