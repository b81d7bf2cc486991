"""The `Sampler` protocol (sample, and close as a context manager) and a sampler's configuration records.

Teacher and student samplers are the same protocol and differ only by configuration
(``conf/teacher/*.yaml``). A backend is a module ``distill.sampling.<backend>`` exposing
``from_config(SamplerConfig) -> Sampler``; `open_sampler` imports it lazily, so an optional
dependency (vllm) is needed only by the runs that use it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from distill.records import Sample, Task

T = TypeVar("T")

BACKENDS: tuple[str, ...] = ("simulated", "openai", "anthropic", "vllm", "vllm_server", "hf", "llamacpp")


def check_range(key: str, value: Any, low: float | None = None, high: float | None = None,
                integer: bool = False, low_open: bool = False) -> None:
    """Validate one numeric setting, naming its config key.

    Raises:
        ValueError: ``<key>=<value>: ...`` when the value is not a number of the right kind or is out of range.
    """
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value != value:
        raise ValueError(f"{key}={value!r}: expected {'an integer' if integer else 'a number'}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{key}={value!r}: must be {'>' if low_open else '>='} {low}")
    if high is not None and value > high:
        raise ValueError(f"{key}={value!r}: must be <= {high}")


@dataclass(frozen=True)
class SamplingParams:
    """Decoding parameters; part of the cache key."""

    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int = 0

    def __post_init__(self) -> None:
        check_range("sampling.n", self.n, low=1, integer=True)
        check_range("sampling.temperature", self.temperature, low=0.0)
        check_range("sampling.top_p", self.top_p, low=0.0, high=1.0, low_open=True)
        check_range("sampling.max_tokens", self.max_tokens, low=1, integer=True)
        check_range("sampling.seed", self.seed, low=0, integer=True)


@dataclass(frozen=True)
class SamplerConfig:
    """How to reach a model: backend, model id, connection and politeness limits.

    Never holds a secret: `api_key_env` names the environment variable that holds the key.
    """

    backend: str
    """One of `BACKENDS`."""
    model: str
    base_url: str | None = None
    """Any OpenAI-compatible server (``vllm serve``, llama.cpp, Ollama) for the openai backend."""
    api_key_env: str | None = None
    concurrency: int = 16
    """Requests in flight at once, for the backends that send requests (openai, anthropic, vllm_server,
    llamacpp_server); the in-process ones answer one batch at a time, and their configs say 1."""
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    max_retries: int = 6
    timeout_s: float = 60.0
    price_per_mtok: tuple[float, float] = (0.0, 0.0)
    """USD per million (prompt, completion) tokens, for the cost total in manifests."""
    max_failed_fraction: float = 0.5
    """A run in which more of the requests than this fail for good is failed (a dead endpoint or a bad
    key must not look like a model that scores 0)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Backend-specific settings, read by each backend's ``from_config`` into its typed option record
    (`typed_options`: simulated.SimulatedOptions, hf.HFOptions, vllm.VLLMOptions, llamacpp.LlamaCppOptions,
    vllm_server.ServerOptions; openai and anthropic take none), so an unknown key is an error naming the
    known ones. Kept as the raw mapping here because it is part of the cache key."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"teacher.backend={self.backend!r} is not one of {', '.join(BACKENDS)}")
        check_range("teacher.concurrency", self.concurrency, low=1, integer=True)
        check_range("teacher.max_retries", self.max_retries, low=0, integer=True)
        check_range("teacher.timeout_s", self.timeout_s, low=0.0, low_open=True)
        check_range("teacher.max_failed_fraction", self.max_failed_fraction, low=0.0, high=1.0)
        for key in ("requests_per_minute", "tokens_per_minute"):
            if getattr(self, key) is not None:
                check_range(f"teacher.{key}", getattr(self, key), low=0.0, low_open=True)


@runtime_checkable
class Sampler(Protocol):
    """Anything that turns tasks into samples; a context manager that releases what it holds."""

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        """Yield samples: for each task, the sample indices `indices[task.id]` (default
        ``range(params.n)``), in any order; each Sample names its task and index.

        A request that fails for good yields a Sample with ``error`` set (never raises for it).
        """
        ...

    def close(self) -> None:
        """Release a loaded model, an engine, a cache; safe to call twice."""
        ...

    def __enter__(self) -> Sampler: ...

    def __exit__(self, *exc: object) -> None: ...


class Closing:
    """The context-manager half of `Sampler`, for samplers to inherit: ``with sampler: ...`` closes it.
    `close` releases nothing here; a sampler that holds something overrides it."""

    def close(self) -> None:
        return None

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wanted(task: Task, params: SamplingParams, indices: Mapping[str, Sequence[int]] | None) -> Sequence[int]:
    """The sample indices requested for a task."""
    return range(params.n) if indices is None else indices.get(task.id, ())


def typed_options(cls: type[T], raw: Mapping[str, Any], backend: str) -> T:
    """``teacher.options`` as the backend's typed option record.

    Raises:
        ValueError: naming an unknown key and the known ones.
    """
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"teacher.options.{unknown[0]}: not an option of the {backend} backend "
                         f"(known: {', '.join(sorted(known)) or 'none'})")
    return cls(**raw)


@dataclass(frozen=True)
class NoOptions:
    """``teacher.options`` of a backend that takes none (openai, anthropic): any key is an error."""


class BackendUnavailable(RuntimeError):
    """A backend's module or optional dependency is missing; the message says what to install."""


def require(module: str, install_hint: str) -> Any:
    """Import a backend's optional dependency.

    Raises:
        BackendUnavailable: with `install_hint` (what to install), when it is missing.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise BackendUnavailable(install_hint) from exc


def open_sampler(config: SamplerConfig) -> Sampler:
    """Build the sampler a configuration describes.

    Raises:
        ValueError: for an unknown backend name.
        BackendUnavailable: when the backend is not available on this machine or in this version.
    """
    if config.backend not in BACKENDS:
        raise ValueError(f"teacher.backend={config.backend!r} is not one of {', '.join(BACKENDS)}")
    try:
        module = importlib.import_module(f"distill.sampling.{config.backend}")
    except ModuleNotFoundError as exc:
        raise BackendUnavailable(f"backend {config.backend!r} needs the package {exc.name!r}") from exc
    return module.from_config(config)
