"""Comparing argument values and finding facts in text.

Strings are compared as BFCL compares them (spaces and ``,./-_*^`` removed, lowercased, ``'`` -> ``"``);
numbers by value (an int equals the same float); lists in order, element by element; dicts key by key.
"""

from __future__ import annotations

import math
import re
from typing import Any

_STRIP = re.compile(r"[ ,./\-_*^]")
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def normalize_string(text: str) -> str:
    """BFCL's string normalization."""
    return _STRIP.sub("", text).lower().replace("'", '"')


def values_equal(got: Any, want: Any, rel_tol: float = 1e-9) -> bool:
    """Semantic equality of JSON values (see module doc). Types must agree except int/float."""
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | float) and isinstance(got, int | float):
        if isinstance(want, float) and math.isnan(want):
            return isinstance(got, float) and math.isnan(got)
        return math.isclose(got, want, rel_tol=rel_tol, abs_tol=1e-12)
    if isinstance(want, str) and isinstance(got, str):
        return normalize_string(got) == normalize_string(want)
    if isinstance(want, list | tuple) and isinstance(got, list | tuple):
        return len(got) == len(want) and all(values_equal(g, w, rel_tol) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(values_equal(got[k], want[k], rel_tol) for k in want)
    return got is None and want is None


def results_equal(got: Any, want: Any) -> bool:
    """Equality of execution results: as `values_equal`, but floats to a relative 1e-6."""
    return values_equal(got, want, rel_tol=1e-6)


def numbers_in(text: str) -> list[float]:
    """Every number written in `text`: "1,234.50", "1234.5", "-3", "2e3"; thousands separators ignored."""
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group().replace(",", "").replace("−", "-")
        try:
            found.append(float(token))
        except ValueError:
            continue
    return found


def states_number(text: str, value: float, rel_tol: float, numbers: list[float] | None = None) -> bool:
    """Whether `text` writes `value` (within a relative tolerance; 0 means exactly)."""
    numbers = numbers_in(text) if numbers is None else numbers
    return any(math.isclose(n, value, rel_tol=rel_tol, abs_tol=1e-9) for n in numbers)


def states_string(text: str, value: str) -> bool:
    """Whether `text` contains `value`, ignoring case, spacing and punctuation."""
    return normalize_string(value) in normalize_string(text)
