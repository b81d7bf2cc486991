"""Execute tool calls in a pool of persistent worker processes with time, memory and CPU limits.

Each worker is ``python -m distill.verify.sandbox``: it imports the tool library (and any extra tool
modules named by the caller: trusted configuration, never model text), drops its network, sets an
address-space limit, and then serves batches over its stdin/stdout, one JSON line each way. A call
only ever names a *registered* tool and passes JSON arguments: nothing a model wrote is evaluated.

Limits: a per-call wall-clock timeout (SIGALRM inside the worker, plus a watchdog in the parent for
code that ignores signals), a per-call CPU-time limit (RLIMIT_CPU, raised before each call), and an
address-space limit (RLIMIT_AS: a huge allocation fails with MemoryError). A worker that dies or
hangs is killed and replaced, its batch is re-run one program at a time so only the guilty program
is blamed, and the pool keeps serving.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.records import ToolCall, is_ref, json_fault

OK, ERROR, TIMEOUT = "ok", "error", "timeout"


@dataclass(frozen=True)
class Program:
    """Calls to run in order on a freshly reset store; ``{"$ref": i}`` arguments take call i's result."""

    calls: tuple[ToolCall, ...]


@dataclass(frozen=True)
class Outcome:
    """What running a program gave: every call's result, or where and why it stopped."""

    status: str
    """``ok``, ``error`` (an exception, including MemoryError) or ``timeout`` (wall clock or CPU)."""
    results: tuple[Any, ...] = ()
    """Results of the calls that completed, in order."""
    error: str = ""
    failed_call: int | None = None


@dataclass(frozen=True)
class SandboxLimits:
    timeout_s: float = 2.0
    memory_bytes: int = 1 << 30
    cpu_s: int = 3
    """CPU seconds one call may use (whole seconds: RLIMIT_CPU's unit)."""


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    buffer: bytearray = field(default_factory=bytearray)
    ready: bool = False
    """Whether the worker said it finished starting (imports, limits): call deadlines start after that."""


STARTUP_S = 120.0
"""How long a worker may take to start (importing the tool library: ~1 s, far more on a loaded machine)."""
_READY = b"ready"


class Sandbox:
    """A pool of sandboxed workers. Use as a context manager, or call `close`.

    The workers call the built-in library's tools, and those `modules` register (test fixtures); or,
    with ``python_tools=(module, names)``, only the functions `names` of a user's module
    (`distill.toolsets.python`).
    """

    executes = True

    def __init__(self, workers: int = 2, limits: SandboxLimits | None = None, modules: Sequence[str] = (),
                 python_tools: tuple[str, tuple[str, ...]] | None = None):
        self.limits = limits or SandboxLimits()
        self.modules = tuple(modules)
        self.python_tools = python_tools
        self._workers = [self._spawn() for _ in range(max(1, workers))]
        self._next = itertools.cycle(range(len(self._workers)))
        self.restarts = 0

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._workers:
            _kill(worker.proc)
        self._workers = []

    def run(self, programs: Sequence[Program], chunk: int = 256) -> list[Outcome]:
        """Run programs, spreading chunks over the workers; outcomes come back in input order. An empty
        program is answered here (``ok``, no results) without a round trip."""
        if any(not p.calls for p in programs):
            ran = iter(self.run([p for p in programs if p.calls], chunk))
            return [next(ran) if p.calls else Outcome(OK) for p in programs]
        outcomes: list[Outcome] = []
        for start in range(0, len(programs), chunk * len(self._workers)):
            window = programs[start: start + chunk * len(self._workers)]
            chunks = [window[i: i + chunk] for i in range(0, len(window), chunk)]
            slots = [next(self._next) for _ in chunks]
            for slot, part in zip(slots, chunks, strict=True):
                self._send(slot, part)
            for slot, part in zip(slots, chunks, strict=True):
                outcomes.extend(self._receive(slot, part))
        return outcomes

    def run_one(self, program: Program) -> Outcome:
        return self.run([program])[0]

    # -- worker management -------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        limits = json.dumps({"memory_bytes": self.limits.memory_bytes, "cpu_s": self.limits.cpu_s,
                             "timeout_s": self.limits.timeout_s, "modules": list(self.modules),
                             "python_tools": self.python_tools})
        proc = subprocess.Popen([sys.executable, "-m", "distill.verify.sandbox", limits],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return _Worker(proc)

    def _restart(self, slot: int) -> None:
        _kill(self._workers[slot].proc)
        self._workers[slot] = self._spawn()
        self.restarts += 1

    def _send(self, slot: int, programs: Sequence[Program]) -> None:
        payload = [[[c.name, c.arguments] for c in p.calls] for p in programs]
        line = json.dumps(payload, ensure_ascii=True).encode() + b"\n"
        try:
            self._workers[slot].proc.stdin.write(line)  # type: ignore[union-attr]
            self._workers[slot].proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass  # the receive side sees the dead worker and recovers

    def _receive(self, slot: int, programs: Sequence[Program]) -> list[Outcome]:
        worker = self._workers[slot]
        if not worker.ready:  # a start-up slowed by a loaded machine is not a call that hangs
            worker.ready = self._read_line(slot, time.monotonic() + STARTUP_S) == _READY
        n_calls = sum(max(1, len(p.calls)) for p in programs)
        deadline = time.monotonic() + n_calls * self.limits.timeout_s + 1.0
        line = self._read_line(slot, deadline) if worker.ready else None
        if line is not None:
            try:
                return [Outcome(s, tuple(r), e, f) for s, r, e, f in json.loads(line)]
            except (ValueError, TypeError):
                pass
        self._restart(slot)
        if len(programs) == 1:
            return [Outcome(TIMEOUT if time.monotonic() >= deadline else ERROR, (),
                            "worker hung past the timeout" if time.monotonic() >= deadline else "worker died", 0)]
        # Re-run one by one so that only the program that kills or hangs a worker is blamed.
        return [self._run_alone(slot, p) for p in programs]

    def _run_alone(self, slot: int, program: Program) -> Outcome:
        self._send(slot, [program])
        return self._receive(slot, [program])[0]

    def _read_line(self, slot: int, deadline: float) -> bytes | None:
        worker = self._workers[slot]
        stdout = worker.proc.stdout
        assert stdout is not None
        while True:
            newline = worker.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(worker.buffer[:newline])
                del worker.buffer[: newline + 1]
                return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([stdout], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            worker.buffer.extend(chunk)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(Exception):
            stream.close()  # type: ignore[union-attr]


# -- the worker side ------------------------------------------------------------------------------


class _CallTimeout(Exception):
    pass


def _on_timeout(signum: int, frame: Any) -> None:
    raise _CallTimeout("timed out" if signum != _SIGXCPU else "CPU time limit exceeded")


_SIGXCPU = 24


def _drop_network() -> None:
    """No network for tools: a new empty network namespace when permitted, and no sockets regardless."""
    import ctypes
    import socket

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).unshare(0x40000000)  # CLONE_NEWNET

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError("network access is disabled in the tool sandbox")

    socket.socket = refuse  # type: ignore[assignment,misc]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def _execute(program: list[list[Any]], limits: dict[str, Any], call_tool: Any, reset_state: Any) -> list[Any]:
    import resource
    import signal

    results: list[Any] = []
    try:
        reset_state()
    except Exception as exc:  # noqa: BLE001 - reported as data
        return [ERROR, [], f"reset failed: {type(exc).__name__}: {exc}", None]
    for index, (name, arguments) in enumerate(program):
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu_now = int(used.ru_utime + used.ru_stime) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = cpu_now + limits["cpu_s"]
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        signal.setitimer(signal.ITIMER_REAL, limits["timeout_s"])
        try:
            args = {k: resolve_ref(v, results) for k, v in arguments.items()}
            results.append(call_tool(name, args))
        except _CallTimeout as exc:
            return [TIMEOUT, results, str(exc), index]
        except MemoryError:
            return [ERROR, results, "MemoryError: the call exceeded the sandbox memory limit", index]
        except Exception as exc:  # noqa: BLE001 - a tool's exception is a result, not a crash
            return [ERROR, results, f"{type(exc).__name__}: {exc}"[:500], index]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return [OK, results, "", None]


def resolve_ref(value: Any, results: Sequence[Any]) -> Any:
    """An argument value with ``{"$ref": i}`` replaced by call i's result.

    Raises:
        ValueError: when i does not name an earlier call.
    """
    if is_ref(value):
        ref = value["$ref"]
        if not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < len(results):
            raise ValueError(f"$ref {ref!r} does not name an earlier call")
        return results[ref]
    return value


def serve(limits: dict[str, Any]) -> None:
    import importlib
    import resource
    import signal

    call_tool, reset_state = _callables(limits)
    for module in limits["modules"]:
        importlib.import_module(module)
    _drop_network()
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    signal.signal(signal.SIGALRM, _on_timeout)
    signal.signal(_SIGXCPU, _on_timeout)
    out = sys.stdout.buffer
    out.write(_READY + b"\n")
    out.flush()
    for line in sys.stdin.buffer:
        replies = [_reply(_execute(program, limits, call_tool, reset_state)) for program in json.loads(line)]
        out.write(b"[" + b",".join(replies) + b"]\n")
        out.flush()


def _callables(limits: dict[str, Any]) -> tuple[Any, Any]:
    """(call(name, arguments), reset()) of the worker: the library's, or a user module's own functions."""
    if not limits.get("python_tools"):
        from distill.tools import call_tool, registry, reset_state

        registry()
        return call_tool, reset_state
    from distill.toolsets.python import callables

    module, names = limits["python_tools"]
    functions, reset = callables(module, tuple(names))

    def call(name: str, arguments: dict[str, Any]) -> Any:
        if name not in functions:
            raise KeyError(f"unknown tool {name!r}")
        return functions[name](**arguments)

    return call, reset or (lambda: None)


def _reply(outcome: list[Any]) -> bytes:
    """One program's outcome as JSON. Each is encoded alone, so a result that is not a plain JSON value
    (an int of 5,000 digits, NaN, a set) fails only its own program, never the rest of the batch."""
    status, results, error, failed = outcome
    for index, result in enumerate(results):
        fault = json_fault(result)
        if fault is not None:
            status, results, error, failed = ERROR, results[:index], f"the result is not a JSON value: {fault}", index
            break
    try:
        return json.dumps([status, results, error, failed], ensure_ascii=True, allow_nan=False).encode()
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an int past Python's 4,300-digit str limit
        return json.dumps([ERROR, [], f"the result cannot be encoded: {exc}"[:500], failed or 0]).encode()


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
