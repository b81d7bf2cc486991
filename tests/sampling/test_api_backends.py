"""The openai and anthropic backends, through the real SDKs, against a flaky loopback server."""

import asyncio
import dataclasses
import logging
import time

import pytest

from distill import io
from distill.records import Task
from distill.sampling.api import MissingAPIKey, TokenBucket
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.sampling.cache import CacheConfig, CachedSampler, RequestsFailed, ResponseCache
from distill.sampling.loopback import PERMANENT_FAIL, REJECTED_500, FaultPlan, LoopbackServer
from distill.sampling.openai import to_openai_messages

BACKENDS = ["openai", "anthropic"]


def config(backend, server, **changes):
    base = server.base_url + ("/v1" if backend == "openai" else "")
    return SamplerConfig(backend=backend, model="teacher-x", base_url=base, api_key_env=f"{backend.upper()}_API_KEY",
                         concurrency=8, timeout_s=1.0, max_retries=8, **changes)


def cached(backend, server, tmp_path, **changes):
    cfg = config(backend, server, **changes)
    return CachedSampler(open_sampler(cfg), cfg.backend, cfg.model, CacheConfig(str(tmp_path / "cache.sqlite")))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_request_eventually_succeeds_once_and_the_rerun_hits_the_cache(backend, server, tasks, keys, tmp_path):
    sampler = cached(backend, server, tmp_path)
    first = sorted(sampler.sample(tasks, SamplingParams(n=2)), key=lambda s: (s.task_id, s.index))
    assert len(first) == 2 * len(tasks) and not any(s.error for s in first)
    assert {(s.task_id, s.index) for s in first} == {(t.id, i) for t in tasks for i in range(2)}
    assert sum(server.faults.values()) > 0  # the server did inject faults
    assert max(server.successes.values()) == 1  # no request was repeated after it succeeded
    attempts = sum(server.attempts.values())
    sampler.close()

    again = cached(backend, server, tmp_path)
    second = sorted(again.sample(tasks, SamplingParams(n=2)), key=lambda s: (s.task_id, s.index))
    assert sum(server.attempts.values()) == attempts  # zero requests
    assert again.counters.hits == len(second) and second == first


@pytest.mark.parametrize("backend", BACKENDS)
def test_permanent_failures_are_recorded_not_cached_and_retried_next_run(backend, server, tasks, keys, tmp_path):
    doomed = dataclasses.replace(tasks[0], id="doomed", messages=({"role": "user", "content": PERMANENT_FAIL},))
    sampler = cached(backend, server, tmp_path)
    out = list(sampler.sample([doomed, tasks[1]], SamplingParams(n=1)))
    failed = [s for s in out if s.error]
    assert [s.task_id for s in failed] == ["doomed"] and "400" in failed[0].error or "BadRequest" in failed[0].error
    stats = sampler.cache.stats()
    assert stats["total"] == 1 and stats["failures"] == 1
    before = sum(server.attempts.values())
    assert sampler.counters.failed == 1
    with pytest.raises(RequestsFailed, match=r"1 of 1 requests to .*teacher-x.* failed"):  # all it asked failed
        list(sampler.sample([doomed, tasks[1]], SamplingParams(n=1)))
    assert sum(server.attempts.values()) == before + 1  # only the failed one is asked again


def test_a_500_that_rejects_the_request_itself_is_not_retried(tasks, keys, tmp_path):
    clean = LoopbackServer(FaultPlan())
    clean.start()
    try:
        rejected = dataclasses.replace(tasks[0], id="rejected", messages=({"role": "user", "content": REJECTED_500},))
        sampler = cached("openai", clean, tmp_path)
        out = list(sampler.sample([rejected, tasks[1]], SamplingParams(n=1)))
    finally:
        clean.stop()
    (failed,) = [s for s in out if s.error]
    assert failed.task_id == "rejected" and "validation error" in failed.error
    assert sampler.inner.runner.counters.retries == 0  # asked once, not max_retries + 1 = 9 times
    assert sum(clean.attempts.values()) == 2


def test_assistant_tool_call_turns_carry_a_string_content_never_null():
    calls = [{"function": {"name": "f", "arguments": {"x": 1}}}]
    wire = to_openai_messages([{"role": "user", "content": "hi"}, {"role": "assistant", "content": None, "tool_calls": calls},
                               {"role": "tool", "content": "2"}, {"role": "assistant", "content": "thinking", "tool_calls": calls}])
    assert wire[1]["content"] == "" and wire[1]["tool_calls"][0]["function"]["arguments"] == '{"x": 1}'
    assert wire[3]["content"] == "thinking"
    assert wire[2]["tool_call_id"] == wire[1]["tool_calls"][0]["id"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_missing_key_fails_before_any_work_naming_the_variable(backend, server, monkeypatch):
    monkeypatch.delenv(f"{backend.upper()}_API_KEY", raising=False)
    with pytest.raises(MissingAPIKey, match=f"{backend.upper()}_API_KEY"):
        open_sampler(config(backend, server))
    assert sum(server.attempts.values()) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_keys_never_reach_the_cache_logs_or_manifest(backend, server, tasks, keys, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sampler = cached(backend, server, tmp_path)
    list(sampler.sample(tasks[:5], SamplingParams(n=1)))
    sampler.close()
    io.write_manifest(tmp_path, {"config": dataclasses.asdict(config(backend, server)),
                                 "counters": dataclasses.asdict(sampler.inner.runner.counters)})
    secret = keys[backend]
    assert any(secret in " ".join(h.values()) for h in server.seen_headers)  # the key was really used
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes(), path
    assert secret not in caplog.text


def test_retry_after_is_honoured(tasks, keys):
    server = LoopbackServer(FaultPlan(rate_429=1.0, retry_after_s=0.4, clean_after=2))
    server.start()
    try:
        start = time.monotonic()
        (sample,) = open_sampler(config("openai", server)).sample(tasks[:1], SamplingParams(n=1))
        assert sample.error is None and time.monotonic() - start >= 0.4
        assert server.faults["429"] == 1
    finally:
        server.stop()


def test_token_bucket_limits_the_rate():
    async def take(n):
        bucket = TokenBucket(per_minute=600)  # 10 per second, bursts of 100
        start = time.monotonic()
        for _ in range(n):
            await bucket.take(1)
        return time.monotonic() - start

    assert asyncio.run(take(100)) < 0.5
    assert asyncio.run(take(105)) >= 0.4


def test_malformed_tool_arguments_reach_the_verifier_as_text():
    from distill.sampling.openai import _read_message

    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"x": '}}
    text, calls = _read_message({"content": None, "tool_calls": [call]}, {})
    assert calls is None and '<tool_call>{"name": "f", "arguments": {"x": }</tool_call>' in text


def test_dotted_bfcl_names_survive_the_round_trip(server, keys):
    task = Task("b", "bfcl:simple_python", "test", ({"role": "user", "content": "5!"},),
                (__import__("distill.records", fromlist=["Tool"]).Tool(
                    "math.factorial", "", {"type": "object", "properties": {"number": {"type": "integer"}},
                                           "required": ["number"]}),),
                __import__("distill.records", fromlist=["Gold"]).Gold())
    (sample,) = open_sampler(config("openai", server)).sample([task], SamplingParams(n=1))
    assert sample.tool_calls[0].name == "math.factorial"


def test_cache_stats_export_import(server, tasks, keys, tmp_path):
    sampler = cached("openai", server, tmp_path)
    list(sampler.sample(tasks[:4], SamplingParams(n=2)))
    rows = list(sampler.cache.export())
    fresh = ResponseCache(tmp_path / "other.sqlite")
    assert fresh.import_rows(rows) == 8 and fresh.import_rows(rows) == 0
    assert fresh.stats()["samples"] == {"openai/teacher-x": 8}
