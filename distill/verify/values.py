"""Comparing argument values and finding facts in text.

Three strengths of equality, strictest first:
- `values_identical`: what was written, up to number type (an int equals the same float);
- `values_equal`: strings as BFCL compares them (spaces and ``,./-_*^`` removed, lowercased,
  ``'`` -> ``"``), numbers by value, lists in order, dicts key by key;
- `values_equivalent`: `values_equal`, or a list holding the same items in another order.
The weaker two say only that a value *may* be the expected one: the judge then executes it (see
`distill.verify.judge`), because ``"2024_04_06"`` normalizes like ``"2024-04-06"`` and a tool may
still reject it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

_STRIP = re.compile(r"[ ,./\-_*^]")
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def normalize_string(text: str) -> str:
    """BFCL's string normalization."""
    return _STRIP.sub("", text).lower().replace("'", '"')


def values_equal(got: Any, want: Any, rel_tol: float = 1e-9) -> bool:
    """Equality of JSON values with BFCL's string normalization (see module doc). Types must agree
    except int/float."""
    return _compare(got, want, rel_tol, normalize_string, ordered=True)


def values_identical(got: Any, want: Any) -> bool:
    """Equality of JSON values as written: strings exactly, numbers by value."""
    return _compare(got, want, 1e-9, None, ordered=True)


def values_equivalent(got: Any, want: Any) -> bool:
    """`values_equal`, where a list may also hold the same items in another order."""
    return _compare(got, want, 1e-9, normalize_string, ordered=False)


_MAX_PERMUTED = 64
"""Lists longer than this are compared in order only (matching costs the square of the length)."""


def _compare(got: Any, want: Any, rel_tol: float, norm: Any, ordered: bool) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | float) and isinstance(got, int | float):
        return numbers_close(got, want, rel_tol)
    if isinstance(want, str) and isinstance(got, str):
        return got == want or (norm is not None and norm(got) == norm(want))
    if isinstance(want, list | tuple) and isinstance(got, list | tuple):
        if len(got) != len(want):
            return False
        if all(_compare(g, w, rel_tol, norm, ordered) for g, w in zip(got, want, strict=True)):
            return True
        if ordered or len(want) > _MAX_PERMUTED:
            return False
        return perfect_matching([[_compare(g, w, rel_tol, norm, ordered) for w in want] for g in got]) is not None
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(_compare(got[k], want[k], rel_tol, norm, ordered) for k in want)
    return got is None and want is None


def perfect_matching(compatible: list[list[bool]]) -> list[int] | None:
    """Kuhn's maximum bipartite matching; row i -> column, or None when not every row can be matched."""
    owner: dict[int, int] = {}

    def augment(row: int, seen: set[int]) -> bool:
        for col, ok in enumerate(compatible[row]):
            if ok and col not in seen:
                seen.add(col)
                if col not in owner or augment(owner[col], seen):
                    owner[col] = row
                    return True
        return False

    if not all(augment(row, set()) for row in range(len(compatible))):
        return None
    assignment = [0] * len(compatible)
    for col, row in owner.items():
        assignment[row] = col
    return assignment


def numbers_close(got: int | float, want: int | float, rel_tol: float) -> bool:
    """Numbers by value: ints exactly (any size), otherwise within `rel_tol`; NaN equals only NaN,
    and an int too large for a float equals no float."""
    if isinstance(got, int) and isinstance(want, int):
        return got == want
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    try:
        return math.isclose(got, want, rel_tol=rel_tol, abs_tol=1e-12)
    except OverflowError:
        return False


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
    return any(numbers_close(n, value, rel_tol) for n in numbers)


def states_string(text: str, value: str) -> bool:
    """Whether `text` contains `value`, ignoring case, spacing and punctuation."""
    return normalize_string(value) in normalize_string(text)


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar inside nested dicts and lists (None and booleans included), depth first."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def short(value: Any, limit: int = 80) -> str:
    """`value` as JSON (or repr) for a verdict's detail, cut to `limit` characters; never raises."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except (ValueError, RecursionError):  # an int past Python's 4,300-digit limit, a cycle
            text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
