"""The response cache: content-addressed keys, immediate commits, modes, and runs that share one cache
(each prompt paid for once, a dead run's claims taken over)."""

import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from distill.records import Sample
from distill.sampling.base import Closing, SamplingParams
from distill.sampling.cache import CacheConfig, CachedSampler, ResponseCache, sample_key, task_digest
from distill.sampling.simulated import SimulatedSampler


class Counting(Closing):
    """A sampler that counts what it is asked for."""

    def __init__(self):
        self.inner, self.asked = SimulatedSampler(), []

    def sample(self, tasks, params, indices=None):
        for sample in self.inner.sample(tasks, params, indices):
            self.asked.append((sample.task_id, sample.index))
            yield sample


def _cached(tmp_path, mode="readwrite"):
    inner = Counting()
    return inner, CachedSampler(inner, "simulated", "oracle", CacheConfig(str(tmp_path / "c.sqlite"), mode))


def test_key_covers_backend_model_prompt_tools_params_and_index_but_not_n(tasks):
    task, params = tasks[0], SamplingParams(n=2)
    base = task_digest("openai", "m", task, params)
    assert base != task_digest("anthropic", "m", task, params)
    assert base != task_digest("openai", "m2", task, params)
    assert base != task_digest("openai", "m", task, dataclasses.replace(params, temperature=0.5))
    assert base != task_digest("openai", "m", dataclasses.replace(task, tools=task.tools[:1]), params)
    assert base == task_digest("openai", "m", task, dataclasses.replace(params, n=8))
    assert sample_key(base, 0) != sample_key(base, 1)


def test_more_samples_later_reuse_the_first_ones(tmp_path, tasks):
    inner, sampler = _cached(tmp_path)
    list(sampler.sample(tasks[:3], SamplingParams(n=2)))
    list(sampler.sample(tasks[:3], SamplingParams(n=4)))
    assert sorted(inner.asked) == sorted((t.id, i) for t in tasks[:3] for i in range(4))


def test_each_response_is_committed_as_it_arrives(tmp_path, tasks):
    _, sampler = _cached(tmp_path)
    reader = sqlite3.connect(tmp_path / "c.sqlite")
    for number, _ in enumerate(sampler.sample(tasks[:5], SamplingParams(n=1)), 1):
        assert reader.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == number


def test_readonly_mode_asks_nothing_and_reports_misses(tmp_path, tasks):
    _, writer = _cached(tmp_path)
    list(writer.sample(tasks[:2], SamplingParams(n=1)))
    inner, reader = _cached(tmp_path, "readonly")
    out = list(reader.sample(tasks[:3], SamplingParams(n=1)))
    assert inner.asked == []
    assert [s.error is not None for s in out] == [False, False, True]


def test_off_mode_always_asks(tmp_path, tasks):
    inner, sampler = _cached(tmp_path, "off")
    list(sampler.sample(tasks[:2], SamplingParams(n=1)))
    list(sampler.sample(tasks[:2], SamplingParams(n=1)))
    assert len(inner.asked) == 4 and not (tmp_path / "c.sqlite").exists()


def test_backend_options_are_part_of_the_key(tmp_path, tasks):
    from distill.sampling.base import SamplerConfig
    from distill.sampling.cache import cached_sampler

    cache = CacheConfig(str(tmp_path / "c.sqlite"))
    sloppy = SamplerConfig(backend="simulated", model="oracle", options={"error_rates": {"prose": 1.0}})
    exact = SamplerConfig(backend="simulated", model="oracle", options={"error_rates": {}})
    first = list(cached_sampler(sloppy, cache).sample(tasks[:5], SamplingParams(n=1)))
    second = cached_sampler(exact, cache)
    again = list(second.sample(tasks[:5], SamplingParams(n=1)))
    assert second.counters.hits == 0 and first != again


def test_a_model_file_replaced_in_place_is_asked_again(tmp_path, tasks):
    """An exported GGUF retrained and exported to the same path must not be answered from the cache."""
    from distill.sampling.base import SamplerConfig
    from distill.sampling.cache import cached_sampler

    cache, model = CacheConfig(str(tmp_path / "c.sqlite")), tmp_path / "model.gguf"
    config = SamplerConfig(backend="simulated", model=str(model))
    model.write_bytes(b"first weights")
    list(cached_sampler(config, cache).sample(tasks[:3], SamplingParams(n=1)))
    same = cached_sampler(config, cache)
    list(same.sample(tasks[:3], SamplingParams(n=1)))
    assert same.counters.hits == 3
    model.write_bytes(b"retrained weights")
    replaced = cached_sampler(config, cache)
    list(replaced.sample(tasks[:3], SamplingParams(n=1)))
    assert replaced.counters.hits == 0


RUN = textwrap.dedent("""
    import os, sys, time
    from distill.records import SUBTASKS
    from distill.sampling.base import Closing, SamplingParams
    from distill.sampling.cache import CacheConfig, CachedSampler
    from distill.sampling.simulated import SimulatedSampler
    from distill.tasks.mixture import Mixture

    cache_path, log_path = sys.argv[1], sys.argv[2]

    class Slow(Closing):  # a paid endpoint: each answer takes a while, and each request is logged
        inner = SimulatedSampler()
        def sample(self, tasks, params, indices=None):
            for sample in self.inner.sample(tasks, params, indices):
                time.sleep(0.03)
                with open(log_path, "a") as log:
                    log.write(f"{os.getpid()} {sample.task_id} {sample.index}\\n")
                yield sample

    tasks = list(Mixture("g", dict.fromkeys(SUBTASKS, 1.0), total=90).generate(seed=0))
    sampler = CachedSampler(Slow(), "simulated", "oracle", CacheConfig(cache_path))
    got = list(sampler.sample(tasks, SamplingParams(n=2)))
    sampler.close()
    assert len({(s.task_id, s.index) for s in got}) == 2 * len(tasks), len(got)
    assert not any(s.error for s in got)
    print(len(got), sampler.counters.requested, sampler.counters.waited)
""")


@pytest.mark.slow
def test_two_runs_on_one_cache_never_pay_twice_for_a_prompt(tmp_path):
    cache, log = str(tmp_path / "c.sqlite"), tmp_path / "requests.log"
    ResponseCache(cache).close()  # the schema exists before both start
    runs = [subprocess.Popen([sys.executable, "-c", RUN, cache, str(log)], stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    requests = [line.split()[1:] for line in log.read_text().splitlines()]
    assert len(requests) == len({tuple(r) for r in requests}) == 180  # every prompt asked exactly once
    got, requested, waited = zip(*(map(int, out.split()) for out in outputs), strict=True)
    assert got == (180, 180)  # both runs got every sample
    assert sum(requested) == 180 and sum(waited) > 0  # they overlapped: one waited for the other's answers


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_claims_of_a_dead_run_are_taken_over(tmp_path, tasks):
    path = str(tmp_path / "c.sqlite")
    params = SamplingParams(n=1)
    key = sample_key(task_digest("simulated", "oracle", tasks[0], params, "{}"), 0)
    dead = ResponseCache(path)
    dead.db.execute("INSERT INTO claims VALUES (?,?,?,?,?)", (key, "gone", dead.host, _dead_pid(), time.time()))
    dead.db.close()  # killed: its claim stays behind
    inner = Counting()
    sampler = CachedSampler(inner, "simulated", "oracle", CacheConfig(path))
    started = time.monotonic()
    (sample,) = sampler.sample(tasks[:1], params)
    assert sample.error is None and inner.asked == [(tasks[0].id, 0)]
    assert time.monotonic() - started < 5  # no waiting on a dead owner


def test_a_live_claim_is_waited_for_and_its_answer_read(tmp_path, tasks):
    path = str(tmp_path / "c.sqlite")
    params = SamplingParams(n=1)
    key = sample_key(task_digest("simulated", "oracle", tasks[0], params, "{}"), 0)
    other = ResponseCache(path)
    assert other.claim([key]) == {key}
    inner = Counting()
    sampler = CachedSampler(inner, "simulated", "oracle", CacheConfig(path))
    answers = sampler.sample(tasks[:1], params)
    stored = Sample(tasks[0].id, 0, "simulated", "oracle", text="from the other run")
    answer_later = threading.Timer(0.5, other.store, (key, stored))  # the other run answers a moment later
    answer_later.start()
    (sample,) = list(answers)
    answer_later.join()
    assert sample.text == "from the other run" and inner.asked == []
    assert sampler.counters.waited == 1


def test_every_sampler_is_a_context_manager_and_a_closed_cached_sampler_refuses_to_sample(tmp_path, tasks):
    import importlib

    from distill.sampling.base import BACKENDS, Sampler

    for backend in BACKENDS:
        module = importlib.import_module(f"distill.sampling.{backend}")
        classes = [v for v in vars(module).values() if isinstance(v, type) and v.__name__.endswith("Sampler")
                   and v.__module__ == module.__name__]
        assert all(issubclass(c, Closing) for c in classes), backend
    inner, cached = _cached(tmp_path)
    with cached as sampler:
        assert isinstance(sampler, Sampler) and sampler is cached
        assert len(list(sampler.sample(tasks[:1], SamplingParams(n=1)))) == 1
    cached.close()  # a second close does nothing
    with pytest.raises(RuntimeError, match="is closed"):
        list(cached.sample(tasks[:1], SamplingParams(n=1)))


def test_export_of_one_backend_carries_its_samples_to_another_cache_and_a_rerun_asks_nothing(tmp_path, tasks):
    from distill.cli import main

    class Local(Counting):  # a local model's answers, stored under its own backend
        def sample(self, tasks, params, indices=None):
            for sample in super().sample(tasks, params, indices):
                yield dataclasses.replace(sample, backend="llamacpp", model="m.gguf")

    _, sampler = _cached(tmp_path)
    list(sampler.sample(tasks[:3], SamplingParams(n=2)))
    other = CachedSampler(Local(), "llamacpp", "m.gguf", CacheConfig(str(tmp_path / "c.sqlite")))
    list(other.sample(tasks[:2], SamplingParams(n=1)))
    sampler.close(), other.close()
    out = tmp_path / "llamacpp.jsonl"
    assert main(["cache", "export", str(out), "--backend", "llamacpp", "--path", str(tmp_path / "c.sqlite")]) == 0
    assert len(out.read_text().splitlines()) == 2
    fresh = tmp_path / "fresh.sqlite"
    assert main(["cache", "import", str(out), "--path", str(fresh)]) == 0
    again = Local()
    rerun = CachedSampler(again, "llamacpp", "m.gguf", CacheConfig(str(fresh)))
    list(rerun.sample(tasks[:2], SamplingParams(n=1)))
    assert again.asked == []
    assert ResponseCache(fresh).stats()["samples"] == {"llamacpp/m.gguf": 2}
