"""An MCP server as a tool source (``tools=mcp tools.command=[python,examples/mcp/server.py]``).

An MCP server is someone else's process with its own runtime: distill cannot import its tools into a
sandbox worker, only speak the protocol to it. The command is trusted configuration (command line,
never an artifact); a model's call reaches the server only as a tool name and JSON arguments. The SDK
is asynchronous and distill's stages are not, so the executor keeps one event loop on a private
thread, holds one stdio session open there and hands it coroutines; ``run`` blocks on the answers.

Unlike the sandbox, MCP has no reset: state a server keeps lives on from one program to the next, so
its tools are assumed stateless for verification. Only ``limits.timeout_s`` applies (per call):
memory and CPU are the server's business, and ``workers`` is unused, one session answering in order.
A server that dies is restarted once per death, and only the program it died in is blamed.

A result is the call's ``structuredContent`` when there is one, minus the ``{"result": x}`` wrapper
the SDK's high-level server (MCPServer, formerly FastMCP) puts around a non-object return value;
otherwise its text content, parsed as JSON when it is JSON.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client, types
from mcp.shared.exceptions import MCPError

from distill.records import Tool, json_fault
from distill.verify.sandbox import ERROR, OK, TIMEOUT, Outcome, Program, SandboxLimits, resolve_ref

_DIED = "died"  # a call's status when the connection closed under it (never an Outcome's)
_GRACE_S = 5.0  # how long past the protocol's own timeout the calling thread waits for the loop
_STOP_S = 15.0  # bound on ending a session (the SDK closes stdin, waits 2 s, SIGTERMs, waits 2 s, SIGKILLs)
_TAIL_BYTES = 2000


@dataclass(frozen=True)
class MCPTools:
    """The tools an MCP server started by `command` lists, executed with ``tools/call``."""

    command: list[str]
    """The server's command line; a first element ``python`` means this interpreter."""
    name: str = "mcp"
    env: dict[str, str] | None = field(default=None, repr=False)
    """Extra environment for the server (merged over the SDK's safe default one); never printed."""
    startup_s: float = 60.0
    """How long the server may take to start and answer ``initialize`` and ``tools/list``."""
    templated = False
    executable = True

    def __post_init__(self) -> None:
        if isinstance(self.command, str) or not self.command:
            raise ValueError("tools.command: give the server's command line as a list, "
                             "e.g. tools.command=[python,examples/mcp/server.py]")
        command = [str(part) for part in self.command]  # also turns Hydra's ListConfig into a list
        if command[0] == "python":
            command[0] = sys.executable
        object.__setattr__(self, "command", command)
        if self.env is not None:
            object.__setattr__(self, "env", {str(k): str(v) for k, v in self.env.items()})

    def tools(self) -> list[Tool]:
        """Every tool the server lists, sorted by name (the server runs once per instance, then stops).

        Raises:
            ValueError: naming ``tools.command`` when the server does not start or lists no tools.
        """
        return list(self._tools)

    @functools.cached_property
    def _tools(self) -> tuple[Tool, ...]:
        server = _Server(self)
        server.close()
        listing = server.listing
        if not listing:
            raise ValueError(f"tools.command={_shown(self.command)}: the server lists no tools")
        tools = (Tool(t.name, t.description or "", dict(t.input_schema), domain=self.name) for t in listing)
        return tuple(sorted(tools, key=lambda t: t.name))

    def executor(self, workers: int, limits: SandboxLimits) -> MCPExecutor:
        """A session with a freshly started server (`workers` is unused: one session serves in order).

        Raises:
            ValueError: naming ``tools.command`` when the server does not start.
        """
        return MCPExecutor(self, limits)


class MCPExecutor:
    """Runs programs over one MCP session. Use as a context manager, or call `close`.

    Raises:
        ValueError: on construction, naming ``tools.command`` when the server does not start.
    """

    executes = True

    def __init__(self, toolset: MCPTools, limits: SandboxLimits):
        self.limits = limits
        self.restarts = 0
        self._toolset = toolset
        self._server: _Server | None = _Server(toolset)
        self._broken = "the executor is closed"

    def __enter__(self) -> MCPExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server and the client's thread."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def run(self, programs: Sequence[Program]) -> list[Outcome]:
        """One outcome per program, in order; no failure raises (see the module docstring)."""
        return [self._run_program(p) for p in programs]

    def _run_program(self, program: Program) -> Outcome:
        results: list[Any] = []
        for index, call in enumerate(program.calls):
            if self._server is None:
                return Outcome(ERROR, tuple(results), self._broken, index)
            try:
                arguments = {k: resolve_ref(v, results) for k, v in call.arguments.items()}
            except ValueError as exc:
                return Outcome(ERROR, tuple(results), str(exc), index)
            status, value = self._server.call(call.name, arguments, self.limits.timeout_s)
            if status == OK and (fault := json_fault(value)) is not None:
                status, value = ERROR, f"the result is not a JSON value: {fault}"
            if status == _DIED:
                self._restart()
                return Outcome(ERROR, tuple(results), "server died", index)
            if status == TIMEOUT and not self._server.answers(self.limits.timeout_s):
                self._restart()  # still busy with the abandoned call: the next program would wait behind it
            if status != OK:
                return Outcome(status, tuple(results), str(value)[:500], index)
            results.append(value)
        return Outcome(OK, tuple(results))

    def _restart(self) -> None:
        """Replace a dead (or hung) server; if it cannot start again, every later call is an error."""
        assert self._server is not None
        self._server.close()
        self.restarts += 1
        try:
            self._server = _Server(self._toolset)
        except ValueError as exc:
            self._server = None
            self._broken = f"the server died and did not start again: {exc}"[:500]


class _Server:
    """One server process and its client session, driven from a private event-loop thread.

    Raises:
        ValueError: naming ``tools.command``, with the server's stderr tail, when it does not start.
    """

    def __init__(self, toolset: MCPTools):
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - the server's stderr, closed in `close`
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mcp-client", daemon=True)
        self._thread.start()
        self._stop = asyncio.Event()
        ready: concurrent.futures.Future[tuple[ClientSession, list[types.Tool]]] = concurrent.futures.Future()
        self._task = asyncio.run_coroutine_threadsafe(self._serve(toolset, ready), self._loop)
        try:
            self._session, self.listing = ready.result(timeout=toolset.startup_s + _STOP_S)
        except BaseException as exc:
            tail = self._tail()
            self.close()
            if not isinstance(exc, Exception):
                raise
            raise ValueError(f"tools.command={_shown(toolset.command)}: the MCP server did not start "
                             f"({_reason(exc, toolset.startup_s)}); {tail}") from exc
        self._wrapped = {t.name for t in self.listing if _is_wrapper(t.output_schema)}

    async def _serve(self, toolset: MCPTools, ready: concurrent.futures.Future[Any]) -> None:
        """Hold the session open until `close` (anyio scopes must be entered and left in one task)."""
        params = StdioServerParameters(command=toolset.command[0], args=toolset.command[1:], env=toolset.env)
        try:
            async with stdio_client(params, errlog=self._stderr) as (read, write), \
                    ClientSession(read, write) as session:
                with anyio.fail_after(toolset.startup_s):
                    await session.initialize()
                    listing = await _list_tools(session)
                ready.set_result((session, listing))
                await self._stop.wait()
        except Exception as exc:  # noqa: BLE001 - a failed start goes to the waiting thread; a later one
            if not ready.done():  # shows as a closed connection on the next call
                ready.set_exception(exc)
        finally:
            if not ready.done():
                ready.set_exception(RuntimeError("the client stopped before the server answered"))

    def call(self, name: str, arguments: dict[str, Any], timeout_s: float) -> tuple[str, Any]:
        """``(status, result or error text)`` of one ``tools/call``; never raises."""
        coroutine = self._session.call_tool(name, arguments, read_timeout_seconds=timeout_s)
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            result = future.result(timeout=timeout_s + _GRACE_S)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return TIMEOUT, f"no answer within {timeout_s} s"
        except MCPError as exc:
            if exc.code == types.REQUEST_TIMEOUT:
                return TIMEOUT, f"no answer within {timeout_s} s"
            return (_DIED, "") if exc.code == types.CONNECTION_CLOSED else (ERROR, f"MCP error {exc.code}: {exc}")
        except Exception as exc:  # noqa: BLE001 - e.g. a structured result that breaks its output schema
            return (_DIED, "") if self._task.done() else (ERROR, f"{type(exc).__name__}: {exc}")
        if result.is_error:
            return ERROR, "\n".join(_texts(result)) or "the tool reported an error"
        return OK, result_value(result, wrapped=name in self._wrapped)

    def answers(self, timeout_s: float) -> bool:
        """Whether the server answers a ping (after a timeout: a hung server is replaced)."""
        async def ping() -> None:
            with anyio.fail_after(timeout_s):
                await self._session.send_ping()

        try:
            asyncio.run_coroutine_threadsafe(ping(), self._loop).result(timeout=timeout_s + _GRACE_S)
            return True
        except Exception:  # noqa: BLE001 - any failure means no
            return False

    def close(self) -> None:
        """End the session (which stops the server process), then the loop and its thread."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        with contextlib.suppress(Exception):
            self._task.result(timeout=_STOP_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=_STOP_S)
        if not self._thread.is_alive():
            self._loop.close()
        self._stderr.close()

    def _tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            size = os.fstat(self._stderr.fileno()).st_size
            text = os.pread(self._stderr.fileno(), _TAIL_BYTES, max(0, size - _TAIL_BYTES))
            if text.strip():
                return "its stderr ends with:\n" + text.decode(errors="replace").strip()
        return "it wrote nothing to stderr"


async def _list_tools(session: ClientSession) -> list[types.Tool]:
    """Every page of ``tools/list``."""
    page = await session.list_tools()
    tools = list(page.tools)
    while page.next_cursor:  # a server that cycles its cursors runs into tools.startup_s
        page = await session.list_tools(params=types.PaginatedRequestParams(cursor=page.next_cursor))
        tools.extend(page.tools)
    return tools


def result_value(result: types.CallToolResult, wrapped: bool) -> Any:
    """A successful call's result: its structured content (unwrapped when the tool's output schema is
    MCPServer's ``{"result": x}`` wrapper), else its text parsed as JSON when it is JSON, else the text;
    several text blocks (MCPServer sends one per item of an unstructured list) give a list."""
    structured = result.structured_content
    if structured is not None:
        if wrapped and isinstance(structured, dict) and set(structured) == {"result"}:
            return structured["result"]
        return structured
    values = [_parse(text) for text in _texts(result)]
    return values[0] if len(values) == 1 else values or None


def _is_wrapper(schema: dict[str, Any] | None) -> bool:
    """Whether an output schema is MCPServer's wrapper of a non-object return: an object titled
    ``<function>Output`` whose one (required) property is ``result``."""
    return (isinstance(schema, dict) and schema.get("type") == "object"
            and set(schema.get("properties") or {}) == {"result"} and schema.get("required") == ["result"]
            and str(schema.get("title", "")).endswith("Output"))


def _texts(result: types.CallToolResult) -> list[str]:
    return [block.text for block in result.content if isinstance(block, types.TextContent)]


def _parse(text: str) -> Any:
    with contextlib.suppress(ValueError):
        return json.loads(text)
    return text


def _reason(exc: BaseException, startup_s: float) -> str:
    """A failed start in words (the SDK's task groups wrap errors in exception groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, MCPError) and exc.code == types.CONNECTION_CLOSED:
        return "it exited, or closed its stdout, before answering initialize"
    if isinstance(exc, TimeoutError | concurrent.futures.TimeoutError):
        return f"no answer to initialize and tools/list within tools.startup_s={startup_s}"
    return f"{type(exc).__name__}: {exc}"


def _shown(command: Sequence[str]) -> str:
    return "[" + ",".join(command) + "]"
