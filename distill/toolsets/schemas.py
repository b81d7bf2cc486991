"""Tools known only by their schemas (``tools=schemas tools.path=...``): nothing executes them.

The file is JSON (a list of tools, or ``{"tools": [...]}``) or JSONL (one tool per line), each tool in
OpenAI's form (``{"type": "function", "function": {...}}`` or the bare ``{"name", "description",
"parameters"}``) or BFCL's (``"type": "dict"`` parameters, BFCL's type names), which is converted to
JSON Schema the way the BFCL importer does. Every parameters schema is checked to be a valid JSON
Schema object. Verdicts on these tools come from the schema and the comparison with the gold values
alone (a value written differently from the gold is wrong, since no execution can show it means
the same); the judge says so in each verdict's detail and the stats count them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.records import Tool
from distill.toolsets import NoExecution
from distill.verify.sandbox import SandboxLimits


@dataclass(frozen=True)
class SchemaTools:
    """The tools of a JSON/JSONL schema file."""

    path: str
    name: str = "schemas"
    templated = False
    executable = False

    def tools(self) -> list[Tool]:
        return list(_read(self.path, self.name))

    def executor(self, workers: int, limits: SandboxLimits) -> NoExecution:
        return NoExecution()


@functools.cache
def _read(path: str, domain: str) -> tuple[Tool, ...]:
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"tools.path={path}: no such file")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix == ".jsonl":
            entries = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
            entries = data["tools"] if isinstance(data, dict) and "tools" in data else data
    except (ValueError, KeyError) as exc:
        raise ValueError(f"tools.path={path}: not a JSON list of tools ({exc})") from exc
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"tools.path={path}: expected a non-empty list of tools")
    tools = [to_tool(entry, domain, f"tools.path={path}, tool {number}") for number, entry in enumerate(entries)]
    names = [t.name for t in tools]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"tools.path={path}: duplicate tool names {', '.join(duplicates)}")
    return tuple(sorted(tools, key=lambda t: t.name))


def to_tool(entry: Any, domain: str, where: str) -> Tool:
    """One OpenAI- or BFCL-format function as a `Tool`.

    Raises:
        ValueError: naming `where` when the entry has no name or its parameters are not a JSON Schema object.
    """
    from jsonschema import Draft202012Validator, SchemaError

    from distill.tasks.bfcl import to_json_schema

    fn = entry.get("function", entry) if isinstance(entry, dict) else None
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
        raise ValueError(f"{where}: expected an object with a function name")
    params = fn.get("parameters") or {"type": "object", "properties": {}}
    if params.get("type") == "dict":  # BFCL's dialect
        params = to_json_schema(params)
    try:
        Draft202012Validator.check_schema(params)
    except SchemaError as exc:
        raise ValueError(f"{where} ({fn['name']}): parameters are not a valid JSON Schema: {exc.message}") from exc
    if params.get("type") != "object":
        raise ValueError(f"{where} ({fn['name']}): parameters must be an object schema")
    return Tool(name=fn["name"], description=fn.get("description", ""), parameters=params, domain=domain)
