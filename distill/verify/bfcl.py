"""BFCL's AST checker rules, so BFCL scores are comparable with the public leaderboard.

Summary of the official rules (bfcl_eval's ``ast_checker``):
- names match exactly; every required parameter present; a parameter the possible answer does not
  list fails; an optional parameter may be omitted only when ``""`` is among its acceptable values;
- types exact: an int is accepted for a float at top level only; a float for an int fails; ``"10"``
  for an int fails;
- strings compared after removing spaces and ``,./-_*^``, lowercasing, ``'`` -> ``"``; lists in
  order, element by element; dicts one level deep; numbers by plain equality;
- ``parallel`` categories: order-insensitive matching with equal call counts; ``multiple``: exactly one
  call against the expected function; irrelevance: correct when no call is made.
"""

from __future__ import annotations

from typing import Any

from distill.records import Reason, Tool, ToolCall
from distill.verify.values import normalize_string, short

Fault = tuple[Reason, str]

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,), "number": (float,), "string": (str,), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}


def check_call(call: ToolCall, gold: ToolCall, acceptable: dict[str, list[Any]], tool: Tool | None) -> Fault | None:
    """BFCL's verdict on one call against one possible answer; None when it passes."""
    if call.name != gold.name:
        return Reason.WRONG_FUNCTION, f"expected {gold.name}, got {call.name}"
    properties = (tool.parameters.get("properties", {}) if tool else {})
    required = (tool.parameters.get("required", []) if tool else [])
    for name in required:
        if name not in call.arguments:
            return Reason.MISSING_ARGUMENT, f"$.arguments.{name}: required argument missing"
    for name, value in call.arguments.items():
        if name not in acceptable:
            return Reason.UNKNOWN_ARGUMENT, f"$.arguments.{name}: not an expected parameter"
        kind = properties.get(name, {}).get("type")
        fault = _check_type(value, kind, properties.get(name, {}), f"$.arguments.{name}")
        if fault:
            return fault
        if not _acceptable(value, acceptable[name], kind):
            return Reason.WRONG_VALUE, f"$.arguments.{name}: {short(value)} is not one of {short(acceptable[name])}"
    for name, values in acceptable.items():
        if name not in call.arguments and "" not in values:
            return Reason.MISSING_ARGUMENT, f"$.arguments.{name}: optional argument expected here is missing"
    return None


def _check_type(value: Any, kind: str | None, spec: dict[str, Any], path: str, top: bool = True) -> Fault | None:
    if kind is None or kind not in _PY_TYPES:
        return None
    if isinstance(value, bool) and kind != "boolean":
        return Reason.WRONG_TYPE, f"{path}: {short(value)} is not of type {kind}"
    if kind == "number" and top and isinstance(value, int):
        return None  # BFCL accepts an int for a float, at the top level only
    if not isinstance(value, _PY_TYPES[kind]) or (kind == "integer" and isinstance(value, bool)):
        return Reason.WRONG_TYPE, f"{path}: {short(value)} is not of type {kind}"
    if kind == "array" and isinstance(spec.get("items"), dict):
        item_kind = spec["items"].get("type")
        for i, item in enumerate(value):
            fault = _check_type(item, item_kind, spec["items"], f"{path}[{i}]", top=False)
            if fault:
                return fault
    return None


def _acceptable(value: Any, values: list[Any], kind: str | None) -> bool:
    return any(_equal(value, want) for want in values if not (want == "" and value != ""))


def _equal(got: Any, want: Any) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        return normalize_string(got) == normalize_string(want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_equal(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        # One level deep: each key's possible answer is a list of acceptable values (or a plain value).
        for key, options in want.items():
            options = options if isinstance(options, list) else [options]
            if key not in got:
                if "" not in options:
                    return False
                continue
            if not any(_equal(got[key], o) for o in options if o != ""):
                return False
        return set(got) <= set(want)
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    return type(got) in (int, float) and type(want) in (int, float) and got == want or got == want
