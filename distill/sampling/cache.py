"""A content-addressed response cache around any sampler (SQLite in WAL mode under ``teacher_cache/``).

Key: sha256 of (backend, model, messages, tools, sampling parameters, sample index). ``n`` is not part
of the key: asking for 8 samples after 4 reuses the first 4. Each response is committed as soon as it
arrives, so a killed run loses at most the requests in flight, and rerunning a configuration makes
zero requests. A request that failed for good goes to a separate ``failures`` table, never to
``samples``, and is retried by the next run.

Modes: ``readwrite`` (default), ``readonly`` (misses come back as error samples, nothing is asked),
``off`` (no cache).

Runs that share one cache never pay twice: before asking, a run *claims* the keys it is missing
(``claims`` table, one transaction); keys another live run has claimed are waited for and read when
that run stores them. A claim dies with its run (same host: the process is gone) or when its owner
has stored nothing for `CLAIM_LEASE_S`; then the keys are claimed again.

A call in which most requests failed (more than ``max_failed_fraction``: a dead endpoint, a bad
key) raises `RequestsFailed` naming the endpoint and the error, so it never looks like a model that
scores 0.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.records import Sample, Task
from distill.sampling.base import Closing, Sampler, SamplerConfig, SamplingParams, wanted
from distill.secrets import redact_text

MODES = ("readwrite", "readonly", "off")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, sample TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_owner ON claims (owner);
CREATE TRIGGER IF NOT EXISTS success_clears_failure AFTER INSERT ON samples
    BEGIN DELETE FROM failures WHERE key = NEW.key; END;
"""
CLAIM_LEASE_S = 600.0
"""A claim whose owner stored nothing for this long is taken over (owners on another host, or hung)."""
POLL_S = 0.25
"""How often a run waiting for another run's requests looks for them."""


class RequestsFailed(RuntimeError):
    """Most requests of a call failed: the endpoint is down, refuses the key, or rejects every prompt."""


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
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.owner = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:12]}"
        self._renewed = time.time()

    def close(self) -> None:
        self.db.execute("DELETE FROM claims WHERE owner = ?", (self.owner,))
        self.db.close()

    def claim(self, keys: Sequence[str]) -> set[str]:
        """Claim the keys among `keys` that nobody has stored or claimed (taking over dead claims);
        returns the keys this cache now holds claims on."""
        now, claimed = time.time(), set()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for chunk, marks in _chunks(keys):
                stale = [k for k, owner, host, pid, updated in self.db.execute(
                    f"SELECT key, owner, host, pid, updated FROM claims WHERE key IN ({marks})", chunk)  # noqa: S608
                    if owner != self.owner and not _alive(host, pid, updated, now, self.host)]
                self.db.executemany("DELETE FROM claims WHERE key = ?", [(k,) for k in stale])
                stored = {k for (k,) in self.db.execute(f"SELECT key FROM samples WHERE key IN ({marks})", chunk)}  # noqa: S608
                self.db.executemany("INSERT OR IGNORE INTO claims VALUES (?,?,?,?,?)",
                                    [(k, self.owner, self.host, self.pid, now) for k in chunk if k not in stored])
                claimed |= {k for (k,) in self.db.execute(
                    f"SELECT key FROM claims WHERE owner = ? AND key IN ({marks})", [self.owner, *chunk])}  # noqa: S608
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return claimed

    def release(self, keys: Sequence[str]) -> None:
        """Drop this cache's claims on `keys` (those it will not ask for after all)."""
        self.db.executemany("DELETE FROM claims WHERE key = ? AND owner = ?", [(k, self.owner) for k in keys])

    def claimed_by_others(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` on which another live run holds a claim."""
        now, held = time.time(), set()
        for chunk, marks in _chunks(keys):
            held |= {k for k, owner, host, pid, updated in self.db.execute(
                f"SELECT key, owner, host, pid, updated FROM claims WHERE key IN ({marks})", chunk)  # noqa: S608
                if owner != self.owner and _alive(host, pid, updated, now, self.host)}
        return held

    def failures_since(self, keys: Sequence[str], since: float) -> dict[str, str]:
        """Errors recorded for `keys` after `since` (requests another run made and lost)."""
        found: dict[str, str] = {}
        for chunk, marks in _chunks(keys):
            found.update(self.db.execute(
                f"SELECT key, error FROM failures WHERE updated >= ? AND key IN ({marks})", [since, *chunk]))  # noqa: S608
        return found

    def lookup(self, keys: Sequence[str]) -> dict[str, Sample]:
        """The cached samples among `keys` (batched: one query per 500 keys)."""
        found: dict[str, Sample] = {}
        for chunk, marks in _chunks(keys):
            for key, data in self.db.execute(f"SELECT key, sample FROM samples WHERE key IN ({marks})", chunk):  # noqa: S608
                found[key] = Sample.from_json(data)
        return found

    def store(self, key: str, sample: Sample) -> Sample:
        """Record a response; committed immediately. A success clears an earlier failure of the key.
        Returns the sample as stored (secrets redacted, JSON keys sorted), which is what a replay reads."""
        # One statement per answer (a trigger clears an earlier failure of the key): each statement hands
        # the GIL to the sampler's thread and back. The claim on the key is released with the rest of the
        # call's claims (`release`); until then waiting runs find the answer among the samples first.
        now = time.time()
        if now - self._renewed > CLAIM_LEASE_S / 20:  # renew the lease on what is still in flight
            self.db.execute("UPDATE claims SET updated = ? WHERE owner = ?", (now, self.owner))
            self._renewed = now
        if sample.error is not None:
            self.db.execute(
                "INSERT INTO failures VALUES (?,?,?,?,?,?,1,?) ON CONFLICT(key) DO UPDATE SET "
                "error=excluded.error, attempts=failures.attempts+1, updated=excluded.updated",
                (key, sample.backend, sample.model, sample.task_id, sample.index, redact_text(sample.error), now))
            return sample
        data = redact_text(sample.to_json())
        self.db.execute("INSERT OR REPLACE INTO samples VALUES (?,?,?,?,?,?,?)",
                        (key, sample.backend, sample.model, sample.task_id, sample.index, data, now))
        return Sample.from_json(data)

    def stats(self) -> dict[str, Any]:
        rows = self.db.execute("SELECT backend, model, COUNT(*) FROM samples GROUP BY backend, model").fetchall()
        failures = self.db.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        return {"path": str(self.path), "samples": {f"{b}/{m}": n for b, m, n in rows},
                "total": sum(n for _, _, n in rows), "failures": failures,
                "bytes": self.path.stat().st_size if self.path.exists() else 0}

    def export(self, backend: str | None = None) -> Iterator[dict[str, Any]]:
        """Every stored sample as a JSON-ready row (`import_rows` reads them back), or only one backend's:
        e.g. a half-done evaluation's answers from a local model, without the teacher pairs beside them."""
        where, args = ("WHERE backend = ?", (backend,)) if backend else ("", ())
        for key, stored_backend, model, task_id, idx, data, created in self.db.execute(
                f"SELECT * FROM samples {where} ORDER BY key", args):  # noqa: S608 (a fixed clause, bound value)
            yield {"key": key, "backend": stored_backend, "model": model, "task_id": task_id, "index": idx,
                   "sample": json.loads(data), "created": created}

    def import_rows(self, rows: Iterable[dict[str, Any]]) -> int:
        """Add exported rows; rows already present are kept as they are. Returns how many were added."""
        added = 0
        self.db.execute("BEGIN")
        for row in rows:
            sample = Sample.from_dict(row["sample"])
            cursor = self.db.execute("INSERT OR IGNORE INTO samples VALUES (?,?,?,?,?,?,?)",
                                     (row["key"], row["backend"], row["model"], row["task_id"], row["index"],
                                      redact_text(sample.to_json()), row["created"]))
            added += cursor.rowcount
        self.db.execute("COMMIT")
        return added


def _chunks(keys: Sequence[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """`keys` in chunks of `size` with the ``?,?,...`` placeholders of each (SQLite caps parameters)."""
    for start in range(0, len(keys), size):
        chunk = list(keys[start: start + size])
        yield chunk, ",".join("?" * len(chunk))


def _alive(host: str, pid: int, updated: float, now: float, this_host: str) -> bool:
    """Whether a claim's owner may still be working: on this host its process exists; anywhere, it
    stored something within the lease."""
    if now - updated > CLAIM_LEASE_S:
        return False
    if host != this_host:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cached_sampler(config: SamplerConfig, cache: CacheConfig) -> CachedSampler:
    """Open the configured sampler behind the cache, keyed by everything in the config that decides answers."""
    from distill.sampling.base import open_sampler

    identity = {"base_url": config.base_url, "options": config.options}
    if Path(config.model).is_file():  # a model file (an exported GGUF): retrained in place, it answers anew
        from distill.io import file_sha256

        identity["file_sha256"] = file_sha256(config.model)
    return CachedSampler(open_sampler(config), config.backend, config.model, cache, identity,
                         config.max_failed_fraction, endpoint(config))


def endpoint(config: SamplerConfig) -> str:
    """How errors name a model: ``backend:model``, and the server's URL when there is one."""
    return f"{config.backend}:{config.model}" + (f" at {config.base_url}" if config.base_url else "")


@dataclass
class CacheCounters:
    hits: int = 0
    requested: int = 0
    stored: int = 0
    failed: int = 0
    waited: int = 0
    """Samples another run sharing the cache requested while this one waited for them."""


class CachedSampler(Closing):
    """Wraps any sampler: cached samples come from SQLite, the rest from `inner` (and are stored)."""

    def __init__(self, inner: Sampler, backend: str, model: str, config: CacheConfig | None = None,
                 identity: dict[str, Any] | None = None, max_failed_fraction: float = 0.5,
                 endpoint: str | None = None):
        self.inner, self.backend, self.model = inner, backend, model
        self.identity = json.dumps(identity or {}, sort_keys=True, default=str)
        self.config = config or CacheConfig()
        self.cache = None if self.config.mode == "off" else ResponseCache(self.config.path)
        self.counters = CacheCounters()
        self.max_failed_fraction = max_failed_fraction
        self.endpoint = endpoint or f"{backend}:{model}"
        self._closed = False

    def close(self) -> None:
        """Close the cache and the wrapped sampler (a loaded model, an engine); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.cache is not None:
            self.cache.close()
        self.inner.close()

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        """Cached samples first, then the rest as they arrive (see module doc).

        Raises:
            RequestsFailed: after the last sample, when more than `max_failed_fraction` of the samples
                that were not cached came back as errors.
        """
        if self._closed:
            raise RuntimeError(f"the sampler of {self.endpoint} is closed")
        asked = failed = 0
        first_error = None
        for sample, requested in self._samples(list(tasks), params, indices):
            if requested:
                asked += 1
                if sample.error is not None:
                    failed += 1
                    first_error = first_error or sample.error
            yield sample
        if asked and failed / asked > self.max_failed_fraction:
            raise RequestsFailed(f"{failed} of {asked} requests to {self.endpoint} failed (more than "
                                 f"{self.max_failed_fraction:.0%} is a failed run, teacher.max_failed_fraction); "
                                 f"the first error: {first_error}")

    def _samples(self, tasks: list[Task], params: SamplingParams,
                 indices: Mapping[str, Sequence[int]] | None) -> Iterator[tuple[Sample, bool]]:
        """(sample, whether it was requested: by this run or, sharing the cache, by another one)."""
        if self.cache is None:
            for sample in self.inner.sample(tasks, params, indices):
                yield sample, True
            return
        keys = {(t.id, i): sample_key(task_digest(self.backend, self.model, t, params, self.identity), i)
                for t in tasks for i in wanted(t, params, indices)}
        hits = self.cache.lookup(list(keys.values()))
        self.counters.hits += len(hits)
        # A stored answer is the answer to its prompt, whichever task asked it first: it goes to every
        # task that asks the same prompt now, under that task's id.
        yield from ((_as_answer_to(hits[k], tk), False) for tk, k in keys.items() if k in hits)
        missing = {tk: k for tk, k in keys.items() if k not in hits}
        if self.config.mode == "readonly":
            for task_id, index in missing:
                yield Sample(task_id, index, self.backend, self.model,
                             error="not in the cache (cache.mode=readonly)"), False  # asked nothing: no gate
            return
        by_id = {t.id: t for t in tasks}
        since = time.time()
        while missing:
            mine = self.cache.claim(list(missing.values()))
            try:
                yield from ((s, True) for s in self._request(by_id, params, missing, mine))
            finally:  # an abandoned or failed call must not leave other runs waiting on its claims
                self.cache.release(list(mine))
            missing = {tk: k for tk, k in missing.items() if k not in mine}
            for sample in self._wait_for_others(missing, since):
                del missing[(sample.task_id, sample.index)]
                yield sample, True

    def _request(self, by_id: dict[str, Task], params: SamplingParams, keys: dict[tuple[str, int], str],
                 mine: set[str]) -> Iterator[Sample]:
        """Ask the inner sampler for the claimed keys, storing each answer as it arrives."""
        todo: dict[str, list[int]] = {}
        for (task_id, index), key in keys.items():
            if key in mine:
                todo.setdefault(task_id, []).append(index)
        if not todo:
            return
        self.counters.requested += sum(len(v) for v in todo.values())
        for sample in self.inner.sample([by_id[t] for t in todo], params, todo):
            # Hand on the stored form, so a fresh run and its replay are identical.
            sample = _as_answer_to(self.cache.store(keys[(sample.task_id, sample.index)], sample),
                                   (sample.task_id, sample.index))
            if sample.error is None:
                self.counters.stored += 1
            else:
                self.counters.failed += 1
            yield sample

    def _wait_for_others(self, missing: dict[tuple[str, int], str],
                         since: float) -> Iterator[Sample]:
        """Samples other runs are asking for, as they store them (or their errors); returns when the
        rest are claimed by nobody alive, so the caller claims them."""
        assert self.cache is not None
        pending = dict(missing)
        while pending:
            found = self.cache.lookup(list(pending.values()))
            errors = self.cache.failures_since([k for k in pending.values() if k not in found], since)
            for (task_id, index), key in list(pending.items()):
                if key in found or key in errors:
                    del pending[(task_id, index)]
                    if key in found:
                        self.counters.waited += 1
                        yield _as_answer_to(found[key], (task_id, index))
                    else:
                        yield Sample(task_id, index, self.backend, self.model, error=errors[key])
            if not pending or not self.cache.claimed_by_others(list(pending.values())):
                return
            time.sleep(POLL_S)


def _as_answer_to(sample: Sample, task_key: tuple[str, int]) -> Sample:
    """`sample` as the answer to task `task_key` (id, sample index)."""
    if (sample.task_id, sample.index) == task_key:
        return sample
    return dataclasses.replace(sample, task_id=task_key[0], index=task_key[1])
