"""Contamination check: a training prompt that shares a normalized word 13-gram with an evaluation
prompt (the test split, BFCL) is dropped before any teacher call is paid for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from distill.records import Task

_WORD = re.compile(r"[a-z0-9]+")


def ngrams(text: str, n: int = 13) -> set[tuple[str, ...]]:
    """Word n-grams of lowercased alphanumeric tokens (punctuation and spacing ignored)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i: i + n]) for i in range(len(words) - n + 1)}


def user_text(task: Task) -> str:
    return "\n".join(str(m.get("content") or "") for m in task.messages if m.get("role") == "user")


def drop_contaminated(tasks: Sequence[Task], reference: Iterable[Task], n: int = 13) -> tuple[list[Task], list[str]]:
    """(kept tasks, ids of the dropped ones)."""
    index: set[tuple[str, ...]] = set()
    for task in reference:
        index |= ngrams(user_text(task), n)
    kept, dropped = [], []
    for task in tasks:
        (dropped.append(task.id) if ngrams(user_text(task), n) & index else kept.append(task))
    return kept, dropped
