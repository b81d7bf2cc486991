"""BFCL's AST checker, ported rule for rule, so BFCL scores are comparable with the public leaderboard.

The source is ``bfcl_eval/eval_checker/ast_eval/ast_checker.py`` of bfcl-eval 2026.3.23 (the version
whose data distill installs), Python categories. Each function here is one of its functions, with
its quirks kept, because agreeing with the leaderboard is the point:

- types are BFCL's (``string integer float boolean array tuple dict any``; ``any`` is checked as a
  string) and exact, except that an int is accepted for a ``float`` at the top level;
- **answer-typed values**: when a possible answer's type differs from the declared type (``null``
  listed as a default, ``True`` for a string), a value of the answer's type passes the type check
  and is then compared by plain membership (`type_check`);
- **array items** are type-checked against each possible answer's own items, so ints pass for a
  float array when the answer lists ints; a possible answer that is not a list (``""``) passes;
- strings are compared after BFCL's normalization; lists element by element, normalizing only their
  top-level strings; **dict values** by plain Python membership (``1 == True``; strings inside lists
  inside dicts are not normalized);
- **a parameter missing from the function's properties** fails, even when the answer lists it;
- **parallel calls are matched greedily in answer order**: each possible answer takes the first
  unmatched call that passes, never revisited;
- ``multiple`` categories check the first call against the first answer; others need exactly one call;
- ``simple_java`` / ``simple_javascript``: each value must be a string of code, converted by BFCL's
  own converters (`distill.verify.bfcl_convert`) and then compared as above, by the type tables of
  that language (the original type names are kept in each property's ``x-bfcl-type``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from distill.records import Reason, Tool, ToolCall, bfcl_category
from distill.tasks.bfcl import LANGUAGES
from distill.verify.values import short

Fault = tuple[Reason, str]

PYTHON_TYPES: dict[str, type] = {
    "string": str, "integer": int, "float": float, "boolean": bool, "array": list, "tuple": list, "dict": dict,
    "any": str,
}
_NESTED = ("array", "tuple")
_FROM_JSON_SCHEMA = {"number": "float", "object": "dict", "string": "string", "integer": "integer",
                     "boolean": "boolean", "array": "array"}
_STANDARDIZE = re.compile(r"[ \,\.\/\-\_\*\^]")


def bfcl_type(spec: dict[str, Any]) -> str:
    """BFCL's type name for a parameter spec that `distill.tasks.bfcl.to_json_schema` mapped to JSON Schema
    (kept as ``x-bfcl-type`` where the mapping loses it: the Java and JavaScript categories)."""
    if "x-bfcl-type" in spec:
        return str(spec["x-bfcl-type"])
    kind = spec.get("type")
    return "any" if kind is None else _FROM_JSON_SCHEMA.get(str(kind), str(kind))


def language_of(category: str) -> str:
    """BFCL's language for a category (``simple_java`` or ``bfcl:simple_java``): ``java``, ``javascript``
    or ``python``."""
    return LANGUAGES.get(bfcl_category(category) or category, "python")


def standardize(text: str) -> str:
    """BFCL's `standardize_string`: spaces and ``,./-_*^`` removed, lowercased, ``'`` -> ``"``."""
    return _STANDARDIZE.sub("", text).lower().replace("'", '"')


def check_calls(category: str, calls: Sequence[ToolCall], golds: Sequence[ToolCall],
                acceptable: Sequence[dict[str, list[Any]]], tools: dict[str, Tool]) -> Fault | None:
    """BFCL's `ast_checker` for one answer of an AST category; None when it passes."""
    if len(calls) != len(golds):
        return Reason.WRONG_CALL_COUNT, f"expected {len(golds)} call(s), got {len(calls)}"
    if "parallel" in category:
        return _parallel_no_order(calls, golds, acceptable, tools)
    return check_call(calls[0], golds[0].name, acceptable[0], tools.get(golds[0].name), language_of(category))


def _parallel_no_order(calls: Sequence[ToolCall], golds: Sequence[ToolCall],
                       acceptable: Sequence[dict[str, list[Any]]], tools: dict[str, Tool]) -> Fault | None:
    """Greedy, in answer order: each possible answer takes the first unmatched call that passes."""
    matched: set[int] = set()
    for number, gold in enumerate(golds):
        fault: Fault | None = (Reason.WRONG_FUNCTION, "no call left")
        for index, call in enumerate(calls):
            if index in matched:
                continue
            fault = check_call(call, gold.name, acceptable[number], tools.get(gold.name))
            if fault is None:
                matched.add(index)
                break
        if fault is not None:
            reason, detail = fault
            return reason, f"no call matches expected call {number} ({gold.name}); last tried: {detail}"
    return None


def check_call(call: ToolCall, name: str, possible: dict[str, list[Any]], tool: Tool | None,
               language: str = "python") -> Fault | None:
    """BFCL's `simple_function_checker`: one call against one possible answer of function `name`."""
    if call.name != name or tool is None:
        return Reason.WRONG_FUNCTION, f"expected {name}, got {call.name}"
    properties = tool.parameters.get("properties", {})
    for param in tool.parameters.get("required", []):
        if param not in call.arguments:
            return Reason.MISSING_ARGUMENT, f"$.arguments.{param}: required argument missing"
    for param, value in call.arguments.items():
        if param not in properties or param not in possible:
            return Reason.UNKNOWN_ARGUMENT, f"$.arguments.{param}: not an expected parameter"
        fault = _check_value(param, value, properties[param], possible[param], language)
        if fault is not None:
            return fault
    for param, values in possible.items():
        if param not in call.arguments and "" not in values:
            return Reason.MISSING_ARGUMENT, f"$.arguments.{param}: optional argument expected here is missing"
    return None


def _check_value(param: str, value: Any, spec: dict[str, Any], possible: list[Any], language: str) -> Fault | None:
    kind, path = bfcl_type(spec), f"$.arguments.{param}"
    items = spec.get("items") if isinstance(spec.get("items"), dict) else None
    if language == "python":
        expected = PYTHON_TYPES.get(kind, str)
        nested = PYTHON_TYPES.get(bfcl_type(items), str) if kind in _NESTED and items is not None else None
        if kind == "float" and type(value) is int:
            value = float(value)  # Python's int -> float, at the top level only
    else:
        converted = _converted(value, kind, items, language, path)
        if not isinstance(converted, _Converted):
            return converted
        value, expected, nested = converted
    valid, is_variable = type_check(value, possible, expected, nested)
    if not valid:
        return Reason.WRONG_TYPE, f"{path}: {short(value)} is not of type {kind}"
    if not is_variable:
        if expected is dict:
            return _named(dict_check(value, possible), path)
        if expected is list and nested is dict:
            return _named(list_dict_check(value, possible), path)
        if expected is str:
            ok = standardize(value) in [standardize(p) for p in possible if type(p) is str]
            return None if ok else (Reason.WRONG_VALUE, f"{path}: {short(value)} is not one of {short(possible)}")
        if expected is list:
            ok = _standardized(value) in [_standardized(_as_list(p)) for p in possible]
            return None if ok else (Reason.WRONG_VALUE, f"{path}: {short(value)} is not one of {short(possible)}")
    if value not in possible:
        return Reason.WRONG_VALUE, f"{path}: {short(value)} is not one of {short(possible)}"
    return None


class _Converted(NamedTuple):
    value: Any
    expected: type
    nested: type | None


def _converted(value: Any, kind: str, items: dict[str, Any] | None, language: str,
               path: str) -> _Converted | Fault:
    """(value converted by BFCL's converter, expected type, nested type), or the fault: the value is
    not a string of code, or the converter refuses it (BFCL's checker would crash there)."""
    from distill.verify.bfcl_convert import NESTED_TYPES, languages

    table = languages()[language]
    if kind not in table.types:
        return Reason.WRONG_TYPE, f"{path}: BFCL has no {language} type {kind!r}"
    if type(value) is not str:
        return Reason.WRONG_TYPE, f"{path}: {short(value)} is not a string of {language} code"
    nested_kind = bfcl_type(items) if kind in NESTED_TYPES and items is not None else None
    try:
        converted = table.convert(value, kind, nested_kind) if nested_kind else table.convert(value, kind)
    except Exception as exc:  # noqa: BLE001 - BFCL's converter raises on what it cannot read
        return Reason.WRONG_VALUE, f"{path}: {short(value)} is not {language} BFCL can read ({type(exc).__name__})"
    nested = table.types.get(nested_kind, str) if nested_kind else None
    return _Converted(converted, table.types[kind], nested)


def type_check(value: Any, possible: list[Any], expected: type, nested: type | None) -> tuple[bool, bool]:
    """BFCL's `type_checker`: (valid, is_variable). A value "is a variable" when the possible answers'
    type differs from the declared one; then a value of the answers' type passes, to be compared by
    plain membership."""
    answer_type = next((type(p) for p in possible if p != ""), None)
    is_variable = answer_type is not None and answer_type is not expected
    nested_failed = False
    if type(value) is expected:
        if nested is None:
            return True, is_variable
        for item in possible:
            if type(item) is not list or all(type_check(v, item, nested, None)[0] for v in value):
                return True, is_variable
        nested_failed = True
    if answer_type is not None and type(value) is answer_type:
        return not nested_failed, True
    return False, is_variable


def dict_check(value: dict[str, Any], possibles: list[Any]) -> str | None:
    """BFCL's `dict_checker`: one level deep, values by plain membership; None when one answer fits."""
    problem = "no possible answer to compare with"
    for possible in possibles:
        if possible == "":
            continue
        problem = _dict_problem(value, possible)
        if problem is None:
            return None
    return problem


def _dict_problem(value: dict[str, Any], possible: dict[str, Any]) -> str | None:
    for key, item in value.items():
        if key not in possible:
            return f"unexpected key {key!r}"
        wanted = [standardize(p) if type(p) is str else p for p in _as_list(possible[key])]
        if (standardize(item) if type(item) is str else item) not in wanted:
            return f"{key!r}: {short(item)} is not one of {short(possible[key])}"
    for key, options in possible.items():
        if key not in value and "" not in options:
            return f"missing key {key!r}"
    return None


def list_dict_check(value: list[Any], possibles: list[Any]) -> str | None:
    """BFCL's `list_dict_checker`: dicts in order, each against the same position of one answer."""
    problem = "no possible answer to compare with"
    for possible in possibles:
        answer = _as_list(possible)
        if len(value) != len(answer):
            problem = "wrong number of dictionaries in the list"
            continue
        problems = [dict_check(v, [a]) if isinstance(v, dict) else "not a dict" for v, a in zip(value, answer,
                                                                                                 strict=True)]
        problem = next((p for p in problems if p is not None), None)
        if problem is None:
            return None
    return problem


def _named(problem: str | None, path: str) -> Fault | None:
    return None if problem is None else (Reason.WRONG_VALUE, f"{path}: {problem}")


def _standardized(items: list[Any]) -> list[Any]:
    return [standardize(v) if type(v) is str else v for v in items]


def _as_list(value: Any) -> list[Any]:
    """How BFCL's loops see a possible answer: a list as it is, a string as its characters (``""`` as
    nothing), anything else as one value."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return list(value)
    return [value]
