"""The executable tool library: deterministic Python functions in several domains.

Import cost matters (the sandbox workers and `import distill` stay light), so domain modules load
on first use of `registry()`, and schemas (which need transformers) are built on first request.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from distill.records import Tool
from distill.tools.base import REGISTRY, Registry, ToolSpec

DOMAINS: tuple[str, ...] = (
    "arithmetic",
    "statistics",
    "units",
    "dates",
    "text",
    "nutrition",
    "scheduling",
    "geography",
    "finance",
    "commerce",
    "travel",
    "weather",
)


@functools.cache
def registry() -> Registry:
    """Import every domain module (which registers its tools) and return the registry."""
    for domain in DOMAINS:
        importlib.import_module(f"distill.tools.{domain}")
    return REGISTRY


def get_tool(name: str) -> ToolSpec:
    """The registered tool `name`.

    Raises:
        KeyError: naming the unknown tool.
    """
    try:
        return registry().tools[name]
    except KeyError:
        raise KeyError(f"unknown tool {name!r}") from None


@functools.cache
def tool_schema(name: str) -> Tool:
    """The `Tool` record (JSON schema from type hints and docstring) for a registered tool."""
    from transformers.utils import get_json_schema

    spec = get_tool(name)
    fn = get_json_schema(spec.fn)["function"]
    return Tool(name=fn["name"], description=fn["description"], parameters=fn["parameters"], domain=spec.domain)


_dirty = True
"""Whether a stateful tool ran since the last reset (only stateful tools touch the store)."""


@functools.cache
@functools.cache
def tool_defaults(name: str) -> dict[str, Any]:
    """Default values of a registered tool's optional parameters (the schema does not carry them);
    computed once per tool (the judge asks for every call it compares). Do not modify the result."""
    import inspect

    params = inspect.signature(get_tool(name).fn).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def reset_state() -> None:
    """Reset every stateful domain (the in-memory store) to its initial, deterministic contents.

    Free when no stateful tool ran since the last reset, which is most tasks.
    """
    global _dirty
    if not _dirty:
        return
    resets = []
    for domain in DOMAINS:
        reset = getattr(importlib.import_module(f"distill.tools.{domain}"), "reset", None)
        if reset is not None and reset not in resets:
            resets.append(reset)
    for reset in resets:
        reset()
    _dirty = False


def call_tool(name: str, arguments: dict[str, Any]) -> Any:
    """Execute a registered tool with keyword arguments. Exceptions propagate to the caller (the sandbox)."""
    global _dirty
    spec = get_tool(name)
    if spec.stateful:
        _dirty = True
    return spec.fn(**arguments)
