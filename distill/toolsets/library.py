"""The built-in tool library (``distill/tools/``) as a toolset: ``tools=library``, the default."""

from __future__ import annotations

from dataclasses import dataclass

from distill.records import Tool
from distill.verify.sandbox import Sandbox, SandboxLimits


@dataclass(frozen=True)
class Library:
    """Every registered tool of the library, executed in the sandbox."""

    name: str = "library"
    templated = True
    executable = True

    def tools(self) -> list[Tool]:
        from distill.tools import registry, tool_schema

        return [tool_schema(n) for n in sorted(registry().tools)]

    def executor(self, workers: int, limits: SandboxLimits) -> Sandbox:
        return Sandbox(workers, limits)
