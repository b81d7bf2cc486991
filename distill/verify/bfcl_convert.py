"""BFCL's Java and JavaScript value converters, loaded from the bfcl-eval wheel distill pins.

BFCL scores ``simple_java`` and ``simple_javascript`` by converting each argument, which the model
writes as a string of Java or JavaScript code (``"new ArrayList<>(Arrays.asList(1, 2))"``, ``"10L"``),
into a Python value with its own converters before comparing. Agreeing with the leaderboard means
running those converters, quirks included, so distill uses BFCL's own code: the three pure-Python
modules (`distill.assets.BFCL_CONVERTERS`) that `make setup` keeps from the wheel it downloads for
the data. They import nothing but ``re`` and ``typing`` and each other.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import types
from dataclasses import dataclass
from typing import Any

from distill.assets import BFCL_CONVERTERS, bfcl_converters_dir

NESTED_TYPES = ("Array", "ArrayList", "array")
"""BFCL's ``NESTED_CONVERSION_TYPE_LIST``: collection types whose items have a type of their own."""


@dataclass(frozen=True)
class Language:
    """One of BFCL's code languages: its type table and its converter."""

    name: str
    types: dict[str, type]
    convert: Any
    """``convert(value: str, expected_type, nested_type=None)`` -> the Python value."""


@functools.cache
def languages() -> dict[str, Language]:
    """``{"java": ..., "javascript": ...}`` from BFCL's own modules.

    Raises:
        AssetMissing: when the converters are not installed (`make setup`).
    """
    root = bfcl_converters_dir()
    for package in ("bfcl_eval", "bfcl_eval.constants", "bfcl_eval.eval_checker", "bfcl_eval.eval_checker.ast_eval",
                    "bfcl_eval.eval_checker.ast_eval.type_convertor"):
        sys.modules.setdefault(package, types.ModuleType(package))
    modules = {}
    for member in BFCL_CONVERTERS:  # type_mappings first: the converters import it
        name = member.removesuffix(".py").replace("/", ".")
        spec = importlib.util.spec_from_file_location(name, root / member)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[name.rsplit(".", 1)[-1]] = module
    mappings = modules["type_mappings"]
    return {"java": Language("java", mappings.JAVA_TYPE_CONVERSION, modules["java_type_converter"].java_type_converter),
            "javascript": Language("javascript", mappings.JS_TYPE_CONVERSION,
                                   modules["js_type_converter"].js_type_converter)}
