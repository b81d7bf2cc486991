"""The llamacpp backend (in process) and llama.cpp's OpenAI-compatible server, on the embedded SmolLM2's
own GGUF, plus the export round trip: a transformers folder -> GGUF -> the same greedy answers.

Needs llama-cpp-python (`make llamacpp`; CI builds it). Without it these tests skip, saying so.
"""

import os
import socket
import subprocess
import sys
import time

import pytest

from distill.export import convert
from distill.models import embedded_gguf, embedded_student_dir
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.sampling.cache import CacheConfig, CachedSampler
from distill.sampling.hf import HFSampler
from distill.verify import label_samples

pytest.importorskip("llama_cpp", reason="needs llama-cpp-python: `make llamacpp`")
pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def tasks(make_tasks):
    return make_tasks(9, splits={"dev": 1.0})


@pytest.fixture(scope="module")
def sampler():
    sampler = open_sampler(SamplerConfig(backend="llamacpp", model="embedded", options={"n_ctx": 2048}))
    yield sampler
    sampler.close()


@pytest.mark.slow
def test_samples_n_per_task_reproducibly_and_the_verifier_judges_them(sampler, tasks):
    params = SamplingParams(n=2, temperature=1.0, max_tokens=16, seed=3)
    samples = list(sampler.sample(tasks, params))
    assert sorted((s.task_id, s.index) for s in samples) == sorted((t.id, i) for t in tasks for i in (0, 1))
    assert all(s.backend == "llamacpp" and s.error is None and s.usage.prompt_tokens > 50
               and 1 <= s.usage.completion_tokens <= 16 for s in samples)
    assert len(list(label_samples(tasks, samples))) == len(samples)
    again = list(sampler.sample(tasks[:3], params, {t.id: [1] for t in tasks[:3]}))
    first = {t.id for t in tasks[:3]}
    assert {(s.task_id, s.text) for s in again} == {(s.task_id, s.text) for s in samples
                                                    if s.index == 1 and s.task_id in first}


def test_greedy_samples_of_a_task_are_identical(sampler, tasks):
    samples = list(sampler.sample(tasks[:2], SamplingParams(n=3, temperature=0.0, max_tokens=12)))
    for task in tasks[:2]:
        assert len({s.text for s in samples if s.task_id == task.id}) == 1


def test_a_prompt_too_long_for_the_context_is_an_error_sample_not_a_crash(sampler, tasks):
    (sample,) = sampler.sample(tasks[:1], SamplingParams(n=1, max_tokens=4000))
    assert sample.error and "exceeds n_ctx 2048" in sample.error and sample.text is None


def test_an_unknown_option_is_named():
    with pytest.raises(ValueError, match=r"teacher.options.n_ctxx: not an option of the llamacpp backend"):
        open_sampler(SamplerConfig(backend="llamacpp", model="embedded", options={"n_ctxx": 1}))


@pytest.mark.slow
def test_exported_gguf_answers_as_the_transformers_model_does(tmp_path, tasks):
    """The round trip `make export` relies on: f32 export, reload in llama.cpp, same greedy answers."""
    out = convert(embedded_student_dir(), tmp_path / "model.gguf", "f32")
    assert out.bytes > 400e6 and out.path.read_bytes()[:4] == b"GGUF"
    params = SamplingParams(n=1, temperature=0.0, max_tokens=24)
    hf = {s.task_id: s.text for s in HFSampler("embedded", batch_size=1, progress=False).sample(tasks[:4], params)}
    tokenizer = str(embedded_student_dir())
    llama = open_sampler(SamplerConfig(backend="llamacpp", model=str(out.path), options={"tokenizer": tokenizer}))
    try:
        exported = {s.task_id: s.text for s in llama.sample(tasks[:4], params)}
    finally:
        llama.close()
    assert exported == hf


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_gguf()),
                                "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}/v1"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("llama_cpp.server did not come up in 120 s")
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("render_tools", [False, True])
def test_the_llama_cpp_server_answers_every_task_through_the_openai_sdk(server, tasks, tmp_path, render_tools):
    """Chaining, next-best and response-generation tasks hold an earlier assistant call: the server
    rejected their `content: null` with a 500 before, and each was retried 7 times."""
    assert {"chaining", "next_best", "response_generation"} <= {t.subtask for t in tasks}
    config = SamplerConfig(backend="vllm_server", model="smollm2", base_url=server, concurrency=1, timeout_s=120,
                           options={"render_tools": render_tools})
    sampler = CachedSampler(open_sampler(config), config.backend, config.model, CacheConfig(str(tmp_path / "c.sqlite")))
    samples = list(sampler.sample(tasks, SamplingParams(n=1, temperature=0.0, max_tokens=16)))
    assert [s.error for s in samples] == [None] * len(tasks)
    assert sampler.inner.runner.counters.retries == 0
    assert all(s.text for s in samples) and len(list(label_samples(tasks, samples))) == len(tasks)
    requests = sampler.inner.runner.counters.requests
    list(sampler.sample(tasks, SamplingParams(n=1, temperature=0.0, max_tokens=16)))
    assert sampler.inner.runner.counters.requests == requests  # the rerun is served by the cache
