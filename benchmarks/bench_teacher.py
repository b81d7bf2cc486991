"""Teacher sampling throughput against a loopback OpenAI-compatible server, then cache replay.

2,000 requests (n=1) at concurrency 32 through the real `openai` SDK against the loopback server
(`distill.sampling.loopback`, in its own process) answering after 50 ms. The bound is
concurrency / latency = 640 requests/s; the bound fraction is achieved / bound. Then the same requests
are replayed from the SQLite cache (zero requests) and timed.
Last line: `bound fraction: F, cache lookups/s: N`. Goals (issue 5): F >= 0.8, N >= 20,000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distill.records import SUBTASKS
from distill.sampling.base import SamplerConfig, SamplingParams, open_sampler
from distill.sampling.cache import CacheConfig, CachedSampler
from distill.tasks.mixture import Mixture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    tasks = list(Mixture("bench", dict.fromkeys(SUBTASKS, 1.0), total=args.requests).generate(seed=0))
    server = subprocess.Popen([sys.executable, "-m", "distill.sampling.loopback", "--latency", str(args.latency)],
                              stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip() + "/v1"  # type: ignore[union-attr]
        os.environ.setdefault("BENCH_API_KEY", "sk-bench")
        config = SamplerConfig(backend="openai", model="bench", base_url=base_url, api_key_env="BENCH_API_KEY",
                               concurrency=args.concurrency, timeout_s=30)
        with tempfile.TemporaryDirectory() as tmp:
            cache = CacheConfig(str(Path(tmp) / "bench.sqlite"))
            sampler = CachedSampler(open_sampler(config), config.backend, config.model, cache)
            start = time.perf_counter()
            fresh = list(sampler.sample(tasks, SamplingParams(n=1)))
            elapsed = time.perf_counter() - start
            assert len(fresh) == len(tasks) and not any(s.error for s in fresh)
            sampler.close()

            replay = CachedSampler(open_sampler(config), config.backend, config.model, cache)
            start = time.perf_counter()
            again = list(replay.sample(tasks, SamplingParams(n=1)))
            replay_s = time.perf_counter() - start
            assert replay.counters.hits == len(tasks) and replay.counters.requested == 0 and len(again) == len(tasks)
    finally:
        server.kill()
    rate, bound = len(tasks) / elapsed, args.concurrency / args.latency
    print(f"{len(tasks)} requests at concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms: "
          f"{elapsed:.2f} s, {rate:.0f} req/s (bound {bound:.0f} req/s); replay {replay_s:.3f} s")
    print(f"bound fraction: {rate / bound:.2f}, cache lookups/s: {len(tasks) / replay_s:.0f}")


if __name__ == "__main__":
    main()
