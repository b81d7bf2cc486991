"""BFCL v4 (Berkeley Function Calling Leaderboard) importer: question + possible-answer files -> Tasks.

Imported tasks are eval-only (split ``test``), sub-task ``bfcl:<category>``. Function specs use
BFCL's pseudo-JSON-Schema (``"dict"``, ``"float"``, ``"tuple"``, ``"any"``); they are mapped to JSON
Schema so the same verifier and backends handle them. The possible answers go to `Gold.acceptable`
unchanged (``""`` among the values = may be omitted), and scoring follows BFCL's AST rules.

BFCL names may contain dots (``math.factorial``); they are kept as they are here, and backends whose
API forbids dots in function names map them on the way out and back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.assets import bfcl_data_dir
from distill.records import Gold, Task, Tool, ToolCall, bfcl_subtask

SIMPLE = ("simple_python", "simple_java", "simple_javascript")
NON_LIVE_AST = (*SIMPLE, "multiple", "parallel", "parallel_multiple")
NON_LIVE = (*NON_LIVE_AST, "irrelevance")
LIVE_AST = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
LIVE = (*LIVE_AST, "live_irrelevance", "live_relevance")
CATEGORIES = NON_LIVE + LIVE
"""Every category distill imports and scores (the rest are `UNSUPPORTED`), in the leaderboard's order."""
NO_CALL_CATEGORIES = frozenset({"irrelevance", "live_irrelevance"})
"""Correct when no call is made (BFCL's irrelevance detection)."""
RELEVANCE_CATEGORIES = frozenset({"live_relevance"})
"""Correct when any call is made (BFCL's relevance detection): no possible answers."""
LANGUAGES = {"simple_java": "java", "simple_javascript": "javascript"}
"""The categories whose values are strings of Java / JavaScript code, converted by BFCL's own converters
when scored; every other category is Python."""
CODE_CATEGORIES = frozenset(LANGUAGES)
UNSUPPORTED = {
    **dict.fromkeys(("multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context"),
                    "multi-turn categories are scored by executing BFCL's stateful environments turn by turn, "
                    "which distill does not run"),
    **dict.fromkeys(("memory", "web_search"), "agentic categories need BFCL's memory and web-search backends"),
    "format_sensitivity": "it re-asks other categories under prompt-format variations, not a category of its own",
}
"""BFCL v4 categories distill does not score, and why (loading one is an error that says so)."""


def check_categories(categories: tuple[str, ...] | list[str], key: str) -> None:
    """Raises ValueError naming `key` for a category distill cannot score (why) or does not know."""
    for category in categories:
        if category in UNSUPPORTED:
            raise ValueError(f"{key}: BFCL category {category!r} is not supported: {UNSUPPORTED[category]}. "
                             f"Supported: {', '.join(CATEGORIES)}")
        if category not in CATEGORIES:
            raise ValueError(f"{key}: unknown BFCL category {category!r}; supported: {', '.join(CATEGORIES)}")

_TYPES = {
    "dict": "object", "float": "number", "double": "number", "integer": "integer", "long": "integer",
    "int": "integer", "string": "string", "str": "string", "char": "string", "boolean": "boolean",
    "bool": "boolean", "array": "array", "list": "array", "tuple": "array",
}


@dataclass(frozen=True)
class BfclSet:
    """A selection of BFCL categories (``conf/tasks/bfcl.yaml``)."""

    name: str
    categories: tuple[str, ...] = NON_LIVE
    limit: int | None = None
    """At most this many tasks per category (for quick runs); None = all."""

    def __post_init__(self) -> None:
        check_categories(self.categories, "tasks.categories")

    def generate(self, seed: int = 0, progress: bool = False) -> Iterator[Task]:
        """Yield the tasks of every selected category (`seed` is unused: BFCL is fixed data)."""
        for category in self.categories:
            for number, task in enumerate(load_category(category)):
                if self.limit is not None and number >= self.limit:
                    break
                yield task


def load_category(category: str, data_dir: Path | None = None) -> Iterator[Task]:
    """Tasks of one BFCL category, in file order.

    Raises:
        AssetMissing: when the BFCL data is not installed (run `make setup`).
        ValueError: naming the file and id when a question has no possible answer, the file and line
            when a line is not JSON, the reason when distill cannot score the category (`UNSUPPORTED`).
    """
    check_categories([category], "category")
    data_dir = data_dir or bfcl_data_dir()
    questions = _read_lines(data_dir / f"BFCL_v4_{category}.json")
    answers: dict[str, Any] = {}
    scored_by_answer = category not in NO_CALL_CATEGORIES | RELEVANCE_CATEGORIES
    if scored_by_answer:
        answer_file = data_dir / "possible_answer" / f"BFCL_v4_{category}.json"
        answers = {a["id"]: a["ground_truth"] for a in _read_lines(answer_file)}
    for question in questions:
        if scored_by_answer and question["id"] not in answers:
            raise ValueError(f"BFCL {category}: no possible answer for {question['id']}")
        yield to_task(category, question, answers.get(question["id"], []))


def to_task(category: str, question: dict[str, Any], ground_truth: list[dict[str, Any]]) -> Task:
    """One BFCL question line (+ its ground truth) as a Task."""
    empty = {"type": "dict", "properties": {}}
    keep_types = category in CODE_CATEGORIES
    tools = tuple(Tool(name=f["name"], description=f.get("description", ""),
                       parameters=to_json_schema(f.get("parameters", empty), keep_types), domain="bfcl")
                  for f in question["function"])
    calls, acceptable = [], []
    for entry in ground_truth:
        ((name, params),) = entry.items()
        acceptable.append(params)
        calls.append(ToolCall(name, _canonical(params)))
    gold = Gold(calls=tuple(calls), acceptable=tuple(acceptable), ordered=False)
    messages = tuple(turn for turns in question["question"][:1] for turn in turns)
    return Task(id=f"bfcl/{question['id']}", subtask=bfcl_subtask(category), split="test", messages=messages,
                tools=tools, gold=gold, meta={"bfcl_id": question["id"], "category": category})


def _canonical(acceptable: dict[str, list[Any]]) -> dict[str, Any]:
    """The first acceptable value of every argument that may not be omitted; nested dicts in BFCL's
    answers hold acceptable-value lists too, so they are unwrapped the same way."""
    def first(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: first(v[0] if isinstance(v, list) and v else v) for k, v in value.items()
                    if not (isinstance(v, list) and v and v[0] == "")}
        if isinstance(value, list):
            return [first(v) for v in value]
        return value

    return {k: first(v[0]) for k, v in acceptable.items() if v and v[0] != ""}


def to_json_schema(spec: Any, keep_types: bool = False, root: bool = True) -> Any:
    """Map BFCL's parameter spec to JSON Schema: types renamed, ``tuple`` -> array, ``any`` -> no constraint.

    With `keep_types` (the Java and JavaScript categories, whose values are strings of code) every
    type below the parameters object becomes ``string``, its BFCL type (``ArrayList``, ``long``...)
    kept as ``x-bfcl-type``: the checker converts the code by it.
    """
    if not isinstance(spec, dict):
        return spec
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "type":
            kind = str(value).lower()
            if keep_types and not root:
                out["type"], out["x-bfcl-type"] = "string", str(value)
            elif kind != "any":
                out["type"] = _TYPES.get(kind, "string" if kind in ("", "string") else kind)
        elif key == "properties" and isinstance(value, dict):
            out["properties"] = {name: to_json_schema(sub, keep_types, False) for name, sub in value.items()}
        elif key == "items":
            out["items"] = to_json_schema(value, keep_types, False)
        else:
            out[key] = value
    return out


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a BFCL file.

    Raises:
        ValueError: naming the file and line of a malformed (e.g. truncated) line; reinstall with
            `distill assets`.
    """
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a JSON line ({exc}); the BFCL data is damaged: "
                                 "reinstall it with `distill assets`") from exc
    return rows
