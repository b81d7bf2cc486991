"""Every record that crosses a stage boundary.

The path of data is one way: tasks -> samples -> verdicts -> pairs -> model -> eval records -> report.
Stages talk only through these records (and the artifacts `distill.io` writes from them), so any
stage can be rerun alone.

Conventions:
- Records are frozen dataclasses. Collections of records are tuples; JSON payloads (tool arguments,
  chat messages, JSON schemas) are plain JSON values (dict/list/str/number/bool/None).
- Chat messages use the Hugging Face chat-template shape of the OpenAI format: an assistant turn with
  calls is ``{"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function":
  {"name": ..., "arguments": {...}}}]}`` with ``arguments`` as a dict (OpenAI's wire format wants a
  JSON string; the OpenAI backend converts). A tool result is ``{"role": "tool", "name": ...,
  "content": "<json>"}``.
- ``to_dict``/``from_dict`` (and ``to_json``/``from_json``) round-trip every record losslessly.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import math
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from distill.secrets import redact_text, secret_values

R = TypeVar("R", bound="Record")


class Reason(enum.StrEnum):
    """Why a verdict is what it is. One fixed enumeration shared by verifier, pairs, eval and report."""

    OK = "ok"
    PARSE_ERROR = "parse_error"
    NO_CALL = "no_call"
    UNEXPECTED_CALL = "unexpected_call"
    UNKNOWN_FUNCTION = "unknown_function"
    WRONG_FUNCTION = "wrong_function"
    MISSING_ARGUMENT = "missing_argument"
    UNKNOWN_ARGUMENT = "unknown_argument"
    WRONG_TYPE = "wrong_type"
    ENUM_VIOLATION = "enum_violation"
    WRONG_VALUE = "wrong_value"
    WRONG_CALL_COUNT = "wrong_call_count"
    WRONG_ORDER = "wrong_order"
    EXEC_ERROR = "exec_error"
    EXEC_TIMEOUT = "exec_timeout"
    WRONG_RESULT = "wrong_result"
    MISSING_FACT = "missing_fact"


SUBTASKS: tuple[str, ...] = (
    "name_detection",
    "param_detection",
    "simple",
    "parallel",
    "chaining",
    "nested",
    "next_best",
    "response_generation",
    "irrelevance",
)
"""The granular sub-tasks, in the order reports list them."""

SPLITS: tuple[str, ...] = ("train", "dev", "test")

BFCL_PREFIX = "bfcl:"
"""An imported BFCL item's sub-task is ``bfcl:<category>`` (the categories are in `distill.tasks.bfcl`)."""


def bfcl_subtask(category: str) -> str:
    """The sub-task name of an imported BFCL item of `category`."""
    return BFCL_PREFIX + category


def bfcl_category(subtask: str) -> str | None:
    """The BFCL category a sub-task name stands for (``bfcl:simple_java`` -> ``simple_java``); None for a
    granular sub-task."""
    return subtask[len(BFCL_PREFIX):] if subtask.startswith(BFCL_PREFIX) else None


class Record:
    """Mixin giving dataclass records a lossless JSON round trip driven by their type hints."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        """Build the record from `to_dict` output.

        Raises:
            TypeError: on a missing or unknown field.
        """
        decoders = _DECODERS.get(cls) or _DECODERS.setdefault(cls, _field_decoders(cls))
        if not data.keys() <= decoders.keys():
            raise TypeError(f"{cls.__name__}: unknown field(s) {sorted(set(data) - set(decoders))}")
        return cls(**{k: v if (d := decoders[k]) is None or v is None else d(v) for k, v in data.items()})

    def to_json(self) -> str:
        return json_text(self.to_dict())

    @classmethod
    def from_json(cls: type[R], text: str) -> R:
        return cls.from_dict(json.loads(text))


MAX_DEPTH = 64
"""Deepest nesting of lists and objects a model-written JSON value may have (BFCL's deepest is 4)."""
_MAX_INT_BITS = 13_000
"""About 3,900 decimal digits: below the 4,300 digits past which Python refuses to turn an int into text."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def json_fault(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` is not a plain JSON value distill can compare, execute and store, or None.

    Plain means: dicts with string keys, lists, strings without lone surrogates (a ``"\\ud83d"``
    escape decodes to one), finite numbers, booleans and None, nested at most `max_depth` deep.
    Python literals such as ``...``, bytes or sets, NaN, infinities and integers too long to write
    are not values. Iterative, so any depth is safe to check.
    """
    if _plain_json(value, max_depth):
        return None  # the common case, without building paths
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        fault = _leaf_fault(item) if len(path) <= max_depth else f"is nested deeper than {max_depth} levels"
        if fault is not None:
            return f"{_path_text(path)} {fault}"
        if isinstance(item, dict):
            stack.extend((inner, (*path, str(key))) for key, inner in item.items())
        elif isinstance(item, list):
            stack.extend((inner, (*path, i)) for i, inner in enumerate(item))
    return None


def _plain_json(value: Any, max_depth: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth or _leaf_fault(item) is not None:
            return False
        if type(item) is dict:
            stack.extend((inner, depth + 1) for inner in item.values())
        elif type(item) is list:
            stack.extend((inner, depth + 1) for inner in item if type(inner) in _CONTAINERS or _leaf_fault(inner))
    return True


_CONTAINERS = (dict, list)


def _leaf_fault(item: Any) -> str | None:
    """What is wrong with this one value (not looking inside containers), or None."""
    kind = type(item)
    if kind is str:
        return "holds a lone surrogate (not valid Unicode)" if not item.isascii() and _SURROGATE.search(item) else None
    if kind is float:
        return None if math.isfinite(item) else f"is {item!r}, not a number JSON can hold"
    if kind is int:
        return None if item.bit_length() <= _MAX_INT_BITS else "is an integer of over 3,900 digits, too long to write"
    if kind is dict:
        bad = any(type(k) is not str or (not k.isascii() and _SURROGATE.search(k)) for k in item)
        return "has a key that is not a valid string" if bad else None
    if item is None or kind is bool or kind is list:
        return None
    return f"is a Python {kind.__name__}, not a JSON value"


def _path_text(path: tuple[str | int, ...]) -> str:
    if not path:
        return "the value"
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p[:40]}" for p in path[:8])
    return text.lstrip(".") + ("..." if len(path) > 8 else "")


def clean_text(text: str | None) -> str | None:
    """`text` with lone surrogates (invalid Unicode a JSON escape can produce) replaced by U+FFFD."""
    return text if text is None or text.isascii() else _SURROGATE.sub("\ufffd", text)


def json_text(data: Any, **options: Any) -> str:
    """JSON of `data` (sorted keys unless `options` say otherwise; other `json.dumps` options pass
    through) as UTF-8-writable text: readable, non-ASCII kept, when it can be, ASCII-escaped when a
    string holds a lone surrogate, so every record can be written and read back."""
    options.setdefault("sort_keys", True)
    text = json.dumps(data, ensure_ascii=False, **options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, **options)
    return text


Decoder = Callable[[Any], Any] | None
"""Turns a field's JSON value back into its Python value; None means the JSON value is it."""
_DECODERS: dict[type, dict[str, Decoder]] = {}


def _field_decoders(cls: type) -> dict[str, Decoder]:
    """One decoder per field, worked out once per record class from its type hints."""
    hints = typing.get_type_hints(cls)
    return {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}


def _decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decoder(arms[0]) if len(arms) == 1 else None
    if origin is tuple:
        inner = _decoder(typing.get_args(hint)[0])
        return tuple if inner is None else (lambda values: tuple(inner(v) for v in values))
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    return None


def _encode(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


@dataclass(frozen=True)
class Tool(Record):
    """A function the model may call."""

    name: str
    """Function name, unique within a task."""
    description: str
    """What the function does, shown to the model."""
    parameters: dict[str, Any]
    """JSON Schema (an ``object`` schema) of the arguments."""
    domain: str = ""
    """Library domain (``finance``, ``geography``...); ``bfcl`` for imported BFCL functions."""

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI Chat Completions / HF chat-template function-tool form."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    @functools.cached_property
    def canonical_json(self) -> str:
        """The OpenAI form as sorted-key JSON, computed once per Tool (cache keys hash it)."""
        return json.dumps(self.to_openai(), sort_keys=True, ensure_ascii=False)

    def to_anthropic(self) -> dict[str, Any]:
        """The Anthropic Messages API tool form."""
        return {"name": self.name, "description": self.description, "input_schema": self.parameters}

    @classmethod
    def from_openai(cls, spec: dict[str, Any], domain: str = "") -> Tool:
        fn = spec.get("function", spec)
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        return cls(name=fn["name"], description=fn.get("description", ""), parameters=params, domain=domain)


@dataclass(frozen=True)
class ToolCall(Record):
    """One function call: a name and JSON arguments."""

    name: str
    arguments: dict[str, Any]
    """Argument name -> JSON value. In a nested call, a value may be ``{"$ref": i}``: the result of
    call ``i`` (0-based) of the same turn; see `distill.tasks.nested`."""
    id: str | None = None
    """Call id, when the producing API assigns one (OpenAI ``call_...``, Anthropic ``toolu_...``)."""

    def to_message(self) -> dict[str, Any]:
        """The entry of an assistant message's ``tool_calls`` list."""
        entry: dict[str, Any] = {"type": "function", "function": {"name": self.name, "arguments": self.arguments}}
        if self.id is not None:
            entry["id"] = self.id
        return entry


def is_ref(value: Any) -> bool:
    """Whether an argument value is a reference to an earlier call's result: an object whose only key is
    ``$ref``. Whether it names an earlier call is checked where it is resolved
    (`distill.verify.sandbox.resolve_ref`)."""
    return isinstance(value, dict) and set(value) == {"$ref"}


def assistant_message(calls: tuple[ToolCall, ...] = (), text: str | None = None) -> dict[str, Any]:
    """An assistant chat turn carrying `calls` (or only `text`)."""
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = [c.to_message() for c in calls]
    return message


@dataclass(frozen=True)
class Fact(Record):
    """A value a response must state (response generation)."""

    name: str
    """What the value is (``distance_km``), for reports."""
    value: str | float | int | bool
    tolerance: float = 0.0
    """Relative tolerance for numbers; strings match after normalization."""


@dataclass(frozen=True)
class Gold(Record):
    """What a correct answer to a task is.

    No calls and no facts means the correct answer is to make no call (irrelevance).
    """

    calls: tuple[ToolCall, ...] = ()
    """Expected calls of the answering turn, in canonical form (executable as they are)."""
    ordered: bool = False
    """Whether the calls must come in order (nested); parallel calls are order-free."""
    acceptable: tuple[dict[str, list[Any]], ...] = ()
    """Per call, argument name -> acceptable values (BFCL's possible answers; ``""`` among them means
    the argument may be omitted). Empty means: the canonical arguments, where an optional parameter may
    be omitted when the canonical value equals its default."""
    facts: tuple[Fact, ...] = ()
    """Values a text answer must state (response generation)."""
    result: Any = None
    """Expected result of executing the whole call sequence (chaining, nested)."""

    @property
    def expects_call(self) -> bool:
        return bool(self.calls)


@dataclass(frozen=True)
class Task(Record):
    """A prompt with tools and a known correct answer."""

    id: str
    subtask: str
    """One of `SUBTASKS`, or ``bfcl:<category>`` for imported BFCL items."""
    split: str
    """One of `SPLITS`."""
    messages: tuple[dict[str, Any], ...]
    """The conversation so far (system, user, and earlier assistant/tool turns)."""
    tools: tuple[Tool, ...]
    gold: Gold
    meta: dict[str, Any] = field(default_factory=dict)
    """Provenance: generator, template id, intent, instruction mode; never read by the judge."""


def first_per_subtask(tasks: Iterable[Task], limit: int | None) -> list[Task]:
    """The first `limit` tasks of each sub-task, in their order (all of them when `limit` is None): the
    evaluation subset of make eval (``limit_per_subtask``) and of make dpo's dev check (``eval.per_subtask``)."""
    if limit is None:
        return list(tasks)
    counts: Counter[str] = Counter()
    kept = []
    for task in tasks:
        if counts[task.subtask] < limit:
            counts[task.subtask] += 1
            kept.append(task)
    return kept


@dataclass(frozen=True)
class Usage(Record):
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Sample(Record):
    """One model output for one task."""

    task_id: str
    index: int
    """Sample number within the task (0..n-1)."""
    backend: str
    model: str
    text: str | None = None
    """Raw text output (may contain calls in some text format)."""
    tool_calls: tuple[ToolCall, ...] | None = None
    """Native calls (OpenAI ``tool_calls``, Anthropic ``tool_use``), when the API returned them."""
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    error: str | None = None
    """Set when the request failed for good; such a sample is retried on the next run."""
    raw: dict[str, Any] | None = None
    """The backend's response body as it came (one choice of it), kept in the cache for inspection."""

    def __post_init__(self) -> None:
        # Model and server text enters distill here: make it valid Unicode once, so tokenizers, Arrow
        # and UTF-8 files downstream never meet a lone surrogate, and drop any secret a server echoed.
        secrets = secret_values()
        for name in ("text", "error"):
            value = clean_text(getattr(self, name))
            if value and secrets:
                value = redact_text(value, secrets)
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Verdict(Record):
    """The verifier's judgement of one sample."""

    task_id: str
    sample_index: int
    reason: Reason
    detail: str = ""
    """Human-readable specifics: the JSON path, the expected and found values."""
    calls: tuple[ToolCall, ...] = ()
    """The calls parsed from the sample (empty when none or unparseable)."""

    @property
    def correct(self) -> bool:
        return self.reason is Reason.OK


@dataclass(frozen=True)
class Pair(Record):
    """A DPO preference pair."""

    task_id: str
    subtask: str
    prompt: tuple[dict[str, Any], ...]
    chosen: dict[str, Any]
    """The preferred assistant message."""
    rejected: dict[str, Any]
    tools: tuple[Tool, ...]
    source: str
    """Where the rejected answer came from: ``teacher``, ``student``, ``corruption:<mode>``."""
    reason: Reason
    """The verifier's reason for the rejected answer."""
    chosen_source: str = "teacher"
    """``teacher`` (a verified teacher sample) or ``gold`` (the gold rendering)."""

    def to_trl_row(self) -> dict[str, Any]:
        """TRL's conversational preference format with a per-row ``tools`` column."""
        return {
            "prompt": list(self.prompt),
            "chosen": [self.chosen],
            "rejected": [self.rejected],
            "tools": [t.to_openai() for t in self.tools],
            "subtask": self.subtask,
            "source": self.source,
            "reason": self.reason.value,
            "task_id": self.task_id,
        }


@dataclass(frozen=True)
class EvalRecord(Record):
    """One evaluated output: the task, what the model said, and the verdict."""

    task_id: str
    subtask: str
    model: str
    sample: Sample
    verdict: Verdict
