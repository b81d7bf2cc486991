"""Tool sources: where a run's tools come from and how their calls are executed (``tools=<source>``).

A `Toolset` gives the tool schemas a task may list (`Tool` records) and an `Executor` that runs a
`Program` (calls in order, ``{"$ref": i}`` arguments resolved) into an `Outcome`, the same contract the
verifier's sandbox has always had. The sources (``conf/tools/*.yaml``):

- ``library``  the built-in tool library (``distill/tools/``), executed in the sandbox; the only source
               with hand-written request templates, so the template generators (``distill/tasks/``) use it;
- ``python``   a module of typed, documented functions (`distill.toolsets.python`), executed in the sandbox;
- ``schemas``  a JSON/JSONL file of OpenAI- or BFCL-format functions: schema only, never executed
               (verdicts come from the schema and the comparison with the gold values);
- ``openapi``  an OpenAPI 3 spec (`distill.toolsets.openapi`), executed over HTTP when a base URL is given;
- ``mcp``      an MCP server over stdio (`distill.toolsets.mcp`): ``tools/list`` and ``tools/call``.

Every source but the library gets its tasks written by a model (`distill.tasks.written`).
A source is configuration (trusted, from the command line), never read back out of an artifact: a
stage that executes calls builds its toolset from its own ``tools=`` config and checks that the tasks
it reads list only tools that toolset has (`check_tools`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from distill.records import Task, Tool, bfcl_category
from distill.verify.sandbox import Outcome, Program, SandboxLimits


class Executor(Protocol):
    """Runs programs of tool calls. `distill.verify.sandbox.Sandbox` is the reference implementation."""

    executes: bool
    """False for a source that cannot run its tools (schemas only): the judge then compares values alone."""

    def run(self, programs: Sequence[Program]) -> list[Outcome]:
        """One outcome per program, in input order; a failing call is an outcome, never an exception."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class Toolset(Protocol):
    """A source of tools (``tools:`` in the configs; built with ``_target_``)."""

    name: str
    templated: bool
    """Whether the template generators of `distill.tasks` know these tools (the built-in library only)."""
    executable: bool

    def tools(self) -> list[Tool]:
        """Every tool of the source, sorted by name.

        Raises:
            ValueError: naming the ``tools.*`` key or the tool whose definition is broken.
        """
        ...

    def executor(self, workers: int, limits: SandboxLimits) -> Executor:
        """An executor for this source's calls; close it (or use it as a context manager)."""
        ...


class NoExecution:
    """The executor of a schema-only source: nothing runs, the judge compares values."""

    executes = False

    def run(self, programs: Sequence[Program]) -> list[Outcome]:
        if any(p.calls for p in programs):
            raise RuntimeError("these tools are schema-only and cannot be executed")
        return [Outcome("ok") for _ in programs]

    def close(self) -> None:
        pass

    def __enter__(self) -> NoExecution:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(toolset: Toolset, verify: Any) -> Executor:
    """The executor of `toolset` with the sandbox limits of a `distill.verify.VerifyConfig`."""
    return toolset.executor(verify.workers, SandboxLimits(verify.timeout_s, verify.memory_bytes, verify.cpu_s))


def describe(toolset: Toolset) -> dict[str, Any]:
    """What a manifest records about a run's tools: source, name, whether they execute, a schema hash."""
    tools = toolset.tools()
    return {"source": type(toolset).__name__, "name": toolset.name, "executable": toolset.executable,
            "tools": len(tools), "fingerprint": fingerprint(tools)}


def fingerprint(tools: Iterable[Tool]) -> str:
    """A short hash of tool schemas (name, description, parameters), for manifests and cache keys."""
    digest = hashlib.sha256()
    for tool in sorted(tools, key=lambda t: t.name):
        digest.update(tool.canonical_json.encode())
    return digest.hexdigest()[:16]


def check_tools(tasks: Iterable[Task], toolset: Toolset, where: str) -> None:
    """Every tool a task lists must be one of `toolset`'s, with the same schema (BFCL tasks, which are
    never executed, are exempt).

    Raises:
        ValueError: naming the first tool that differs, where the tasks came from and the ``tools=`` source.
    """
    known = {t.name: t for t in toolset.tools()}
    checked: set[str] = set()
    for task in tasks:
        if bfcl_category(task.subtask) is not None:
            continue
        for tool in task.tools:
            if tool.canonical_json in checked:
                continue
            mine = known.get(tool.name)
            if mine is None:
                raise ValueError(f"{where} lists the tool {tool.name!r}, which tools={toolset.name} does not have: "
                                 f"give the tools= source the tasks were made with")
            if json.dumps(mine.parameters, sort_keys=True) != json.dumps(tool.parameters, sort_keys=True):
                raise ValueError(f"{where}: the tool {tool.name!r} has other parameters in tools={toolset.name} "
                                 f"than in the tasks (the source changed since the tasks were made)")
            checked.add(tool.canonical_json)


def schema_defaults(tool: Tool) -> dict[str, Any]:
    """Default values stated in a tool's parameter schema (``"default"`` of each property)."""
    props = tool.parameters.get("properties") or {}
    return {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
