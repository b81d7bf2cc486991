"""A content-addressed response cache around any sampler (SQLite in WAL mode under ``teacher_cache/``).

Key: sha256 of (backend, model, messages, tools, sampling parameters, sample index). ``n`` is not part
of the key: asking for 8 samples after 4 reuses the first 4. Each response is committed as soon as it
arrives, so a killed run loses at most the requests in flight, and rerunning a configuration makes
zero requests. A request that failed for good goes to a separate ``failures`` table, never to
``samples``, and is retried by the next run.

Modes: ``readwrite`` (default), ``readonly`` (misses come back as error samples, nothing is asked),
``off`` (no cache).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.records import Sample, Task
from distill.sampling.base import Sampler, SamplerConfig, SamplingParams, wanted

MODES = ("readwrite", "readonly", "off")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, sample TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, updated REAL NOT NULL);
"""


@dataclass(frozen=True)
class CacheConfig:
    """``cache:`` in the recipes' configs."""

    path: str = "teacher_cache/teacher.sqlite"
    mode: str = "readwrite"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"cache.mode={self.mode!r}: expected one of {', '.join(MODES)}")


def task_digest(backend: str, model: str, task: Task, params: SamplingParams, identity: str = "") -> str:
    """The part of the key shared by all samples of one task. `identity` covers what else decides the
    answers (the server's URL, backend options such as the simulated teacher's error rates)."""
    payload = [backend, model, identity, list(task.messages),
               [params.temperature, params.top_p, params.max_tokens, params.seed]]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())
    for tool in task.tools:
        digest.update(b"\x00" + tool.canonical_json.encode())
    return digest.hexdigest()


def sample_key(digest: str, index: int) -> str:
    return hashlib.sha256(f"{digest}:{index}".encode()).hexdigest()


class ResponseCache:
    """The SQLite store. One writer (this process); safe to read while it writes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def lookup(self, keys: Sequence[str]) -> dict[str, Sample]:
        """The cached samples among `keys` (batched: one query per 500 keys)."""
        found: dict[str, Sample] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start: start + 500])
            marks = ",".join("?" * len(chunk))
            for key, data in self.db.execute(f"SELECT key, sample FROM samples WHERE key IN ({marks})", chunk):  # noqa: S608
                found[key] = Sample.from_json(data)
        return found

    def store(self, key: str, sample: Sample) -> None:
        """Record a response; committed immediately. A success clears an earlier failure of the key."""
        if sample.error is not None:
            self.db.execute(
                "INSERT INTO failures VALUES (?,?,?,?,?,?,1,?) ON CONFLICT(key) DO UPDATE SET "
                "error=excluded.error, attempts=failures.attempts+1, updated=excluded.updated",
                (key, sample.backend, sample.model, sample.task_id, sample.index, sample.error, time.time()))
            return
        row = (key, sample.backend, sample.model, sample.task_id, sample.index, sample.to_json(), time.time())
        self.db.execute("INSERT OR REPLACE INTO samples VALUES (?,?,?,?,?,?,?)", row)
        self.db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def stats(self) -> dict[str, Any]:
        rows = self.db.execute("SELECT backend, model, COUNT(*) FROM samples GROUP BY backend, model").fetchall()
        failures = self.db.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        return {"path": str(self.path), "samples": {f"{b}/{m}": n for b, m, n in rows},
                "total": sum(n for _, _, n in rows), "failures": failures,
                "bytes": self.path.stat().st_size if self.path.exists() else 0}

    def export(self) -> Iterator[dict[str, Any]]:
        for key, backend, model, task_id, idx, data, created in self.db.execute("SELECT * FROM samples ORDER BY key"):
            yield {"key": key, "backend": backend, "model": model, "task_id": task_id, "index": idx,
                   "sample": json.loads(data), "created": created}

    def import_rows(self, rows: Iterable[dict[str, Any]]) -> int:
        """Add exported rows; rows already present are kept as they are. Returns how many were added."""
        added = 0
        self.db.execute("BEGIN")
        for row in rows:
            sample = Sample.from_dict(row["sample"])
            cursor = self.db.execute("INSERT OR IGNORE INTO samples VALUES (?,?,?,?,?,?,?)",
                                     (row["key"], row["backend"], row["model"], row["task_id"], row["index"],
                                      sample.to_json(), row["created"]))
            added += cursor.rowcount
        self.db.execute("COMMIT")
        return added


def cached_sampler(config: SamplerConfig, cache: CacheConfig) -> CachedSampler:
    """Open the configured sampler behind the cache, keyed by everything in the config that decides answers."""
    from distill.sampling.base import open_sampler

    identity = {"base_url": config.base_url, "options": config.options}
    return CachedSampler(open_sampler(config), config.backend, config.model, cache, identity)


@dataclass
class CacheCounters:
    hits: int = 0
    requested: int = 0
    stored: int = 0
    failed: int = 0


class CachedSampler:
    """Wraps any sampler: cached samples come from SQLite, the rest from `inner` (and are stored)."""

    def __init__(self, inner: Sampler, backend: str, model: str, config: CacheConfig | None = None,
                 identity: dict[str, Any] | None = None):
        self.inner, self.backend, self.model = inner, backend, model
        self.identity = json.dumps(identity or {}, sort_keys=True, default=str)
        self.config = config or CacheConfig()
        self.cache = None if self.config.mode == "off" else ResponseCache(self.config.path)
        self.counters = CacheCounters()

    def close(self) -> None:
        """Close the cache and the wrapped sampler, if it holds anything (a loaded model, an engine)."""
        if self.cache is not None:
            self.cache.close()
        if callable(getattr(self.inner, "close", None)):
            self.inner.close()

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        tasks = list(tasks)
        if self.cache is None:
            yield from self.inner.sample(tasks, params, indices)
            return
        keys = {(t.id, i): sample_key(task_digest(self.backend, self.model, t, params, self.identity), i)
                for t in tasks for i in wanted(t, params, indices)}
        hits = self.cache.lookup(list(keys.values()))
        missing: dict[str, list[int]] = {}
        for (task_id, index), key in keys.items():
            if key in hits:
                self.counters.hits += 1
                yield hits[key]
            else:
                missing.setdefault(task_id, []).append(index)
        if not missing:
            return
        todo = [t for t in tasks if t.id in missing]
        if self.config.mode == "readonly":
            for task in todo:
                for index in missing[task.id]:
                    yield Sample(task.id, index, self.backend, self.model,
                                 error="not in the cache (cache.mode=readonly)")
            return
        self.counters.requested += sum(len(v) for v in missing.values())
        for sample in self.inner.sample(todo, params, missing):
            self.cache.store(keys[(sample.task_id, sample.index)], sample)
            if sample.error is None:
                self.counters.stored += 1
                # Hand on the stored form (JSON keys sorted), so a fresh run and its replay are identical.
                sample = Sample.from_json(sample.to_json())
            else:
                self.counters.failed += 1
            yield sample
