"""A user's Python module of tools (``tools=python tools.module=...``).

The module's public functions, each with type hints and a Google-style docstring, are the tools; the
schema comes from `transformers.utils.get_json_schema`, as for the built-in library, plus each optional
parameter's default (the judge lets an answer omit an argument the gold gives its default). Calls run
in the sandbox's workers, which import this one module (configuration, never text from an artifact)
and call only the functions listed here. A module-level ``reset()``, if there is one, runs before each
program, as the library's stateful domains do.

``module`` is a dotted name importable from the environment, or a path to a ``.py`` file (imported
under a private name: no ``sys.path`` change), so ``tools.module=examples/python/garden.py`` works
from a checkout.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from distill.records import Tool
from distill.verify.sandbox import Sandbox, SandboxLimits


@dataclass(frozen=True)
class PythonTools:
    """The public functions of `module` (or only `functions`, when given)."""

    module: str
    functions: tuple[str, ...] | None = None
    name: str = "python"
    templated = False
    executable = True

    def __post_init__(self) -> None:
        if not self.module:
            raise ValueError("tools.module: give a dotted module name or a path to a .py file")
        if self.functions is not None:
            object.__setattr__(self, "functions", tuple(self.functions))

    def tools(self) -> list[Tool]:
        return list(_tools(self.module, self.functions, self.name))

    def executor(self, workers: int, limits: SandboxLimits) -> Sandbox:
        return Sandbox(workers, limits, python_tools=(self.module, tuple(t.name for t in self.tools())))


@functools.cache
def _tools(module: str, functions: tuple[str, ...] | None, domain: str) -> tuple[Tool, ...]:
    found = public_functions(load_module(module))
    if functions is not None:
        missing = [f for f in functions if f not in found]
        if missing:
            raise ValueError(f"tools.functions: {', '.join(missing)} not found in {module} "
                             f"(public functions: {', '.join(sorted(found)) or 'none'})")
        found = {k: v for k, v in found.items() if k in functions}
    if not found:
        raise ValueError(f"tools.module={module}: no public function defined in the module")
    return tuple(tool_from_function(fn, domain) for _, fn in sorted(found.items()))


def load_module(module: str) -> ModuleType:
    """Import `module`: a dotted name, or a ``.py`` file path.

    Raises:
        ValueError: naming ``tools.module`` when it cannot be found or fails to import.
    """
    try:
        if module.endswith(".py") or "/" in module:
            path = Path(module).resolve()
            if not path.is_file():
                raise ValueError(f"tools.module={module}: no such file")
            key = "distill_user_tools_" + "".join(c if c.isalnum() else "_" for c in str(path))
            if key not in sys.modules:
                spec = importlib.util.spec_from_file_location(key, path)
                loaded = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
                sys.modules[key] = loaded  # dataclasses and typing resolve names through sys.modules
                try:
                    spec.loader.exec_module(loaded)  # type: ignore[union-attr]
                except BaseException:
                    del sys.modules[key]
                    raise
            return sys.modules[key]
        return importlib.import_module(module)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"tools.module={module}: cannot import it: {type(exc).__name__}: {exc}") from exc


def public_functions(mod: ModuleType) -> dict[str, Any]:
    """Functions defined in `mod` itself (not imported into it) whose names do not start with ``_``;
    ``reset`` is the state hook, not a tool."""
    return {name: fn for name, fn in vars(mod).items()
            if inspect.isfunction(fn) and fn.__module__ == mod.__name__ and not name.startswith("_")
            and name != "reset"}


def tool_from_function(fn: Any, domain: str) -> Tool:
    """A function's `Tool` record: its JSON schema, with the defaults of its optional parameters.

    Raises:
        ValueError: naming the function when its hints or docstring cannot make a schema.
    """
    from transformers.utils import get_json_schema

    try:
        schema = get_json_schema(fn)["function"]
    except Exception as exc:  # transformers raises its own TypeErrors / DocstringParsingException
        raise ValueError(f"tools: function {fn.__name__} needs type hints and a Google-style docstring "
                         f"with an Args: entry per parameter ({exc})") from exc
    params = schema.get("parameters") or {"type": "object", "properties": {}}
    for p in inspect.signature(fn).parameters.values():
        prop = params.get("properties", {}).get(p.name)
        if prop is not None and p.default is not inspect.Parameter.empty and _json_value(p.default):
            prop["default"] = p.default
    return Tool(name=schema["name"], description=schema.get("description", ""), parameters=params, domain=domain)


def _json_value(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def callables(module: str, names: tuple[str, ...]) -> tuple[dict[str, Any], Any]:
    """(name -> function for exactly `names`, the module's ``reset`` or None): what a sandbox worker
    may call."""
    mod = load_module(module)
    found = public_functions(mod)
    return {n: found[n] for n in names if n in found}, getattr(mod, "reset", None)
