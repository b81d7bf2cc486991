"""The response cache: content-addressed keys, immediate commits, modes."""

import dataclasses
import sqlite3

from distill.sampling.base import SamplingParams
from distill.sampling.cache import CacheConfig, CachedSampler, sample_key, task_digest
from distill.sampling.simulated import SimulatedSampler


class Counting:
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
