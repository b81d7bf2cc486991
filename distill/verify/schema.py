"""Validate calls against their tools' JSON schemas (Draft 2020-12), with a distinct reason per fault.

Validators are compiled once per (tool name, schema) and cached. Types are exact, as BFCL scores
them: ``integer`` accepts only ints (``5.0`` is not one), ``number`` accepts ints and floats, and a
bool is never a number.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

from distill.records import Reason, Tool, ToolCall
from distill.verify.values import short


def _is_integer(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int | float) and not isinstance(instance, bool)


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
ExactValidator = jsonschema.validators.extend(Draft202012Validator, type_checker=_TYPES)

_MAX_ERRORS = 32
# The order in which faults are reported when a call has several: the most basic first.
_PRIORITY = {"required": 0, "type": 1, "enum": 2}


@dataclass(frozen=True)
class SchemaFault:
    reason: Reason
    path: str
    """JSON path of the offending value, e.g. ``$.arguments.units``."""
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@functools.lru_cache(maxsize=4096)
def _validator(name: str, tool_json: str) -> Draft202012Validator:
    return ExactValidator(json.loads(tool_json)["function"]["parameters"])


def validator_for(tool: Tool) -> Draft202012Validator:
    """The compiled validator of a tool's parameter schema (cached, keyed by the Tool's canonical JSON,
    which each Tool computes once)."""
    return _validator(tool.name, tool.canonical_json)


def check_call(call: ToolCall, tools: dict[str, Tool], ignore: frozenset[str] = frozenset()) -> SchemaFault | None:
    """The first schema fault of a call, or None when it is valid.

    `ignore` names arguments not to validate (nested-call references, resolved later).
    """
    tool = tools.get(call.name)
    if tool is None:
        return SchemaFault(Reason.UNKNOWN_FUNCTION, "$.name", f"no function named {call.name!r} is available")
    properties = tool.parameters.get("properties", {})
    for key in call.arguments:
        if key not in properties:
            return SchemaFault(Reason.UNKNOWN_ARGUMENT, f"$.arguments.{key}", f"{call.name} has no parameter {key!r}")
    arguments = {k: v for k, v in call.arguments.items() if k not in ignore}
    required = tool.parameters.get("required", [])
    missing = next((r for r in required if r not in call.arguments and r not in ignore), None)
    if isinstance(missing, str):  # checked first: it is the most basic fault, and errors below are capped
        return SchemaFault(Reason.MISSING_ARGUMENT, f"$.arguments.{missing}",
                           f"required argument {missing!r} is missing")
    schema_view = tool
    if ignore:
        schema_view = Tool(tool.name, tool.description,
                           {**tool.parameters, "required": [r for r in required if r not in ignore]})
    try:
        # The first errors are enough to name the most basic fault; collecting all of them costs ~50 us
        # each (150,000 wrong items: 8 s). Validating a valid value stays linear.
        errors = list(itertools.islice(validator_for(schema_view).iter_errors(arguments), _MAX_ERRORS))
    except (RecursionError, ValueError) as exc:
        return SchemaFault(Reason.WRONG_TYPE, "$.arguments", f"cannot validate: {exc}")
    if not errors:
        return None
    error = min(errors, key=lambda e: (_PRIORITY.get(e.validator, 3), len(e.absolute_path)))
    return _fault(error)


def _fault(error: jsonschema.ValidationError) -> SchemaFault:
    path = "$.arguments" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return SchemaFault(Reason.MISSING_ARGUMENT, f"{path}.{missing}", f"required argument {missing!r} is missing")
    if error.validator == "enum":
        allowed = error.validator_value
        return SchemaFault(Reason.ENUM_VIOLATION, path, f"{short(error.instance, 60)} is not one of {allowed}")
    if error.validator == "type":
        return SchemaFault(Reason.WRONG_TYPE, path,
                           f"{short(error.instance, 60)} is not of type {error.validator_value}")
    if error.validator == "additionalProperties":
        return SchemaFault(Reason.UNKNOWN_ARGUMENT, path, error.message[:200])
    return SchemaFault(Reason.WRONG_VALUE, path, f"{error.validator}: {error.message[:200]}")
