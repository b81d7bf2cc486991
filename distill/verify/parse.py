"""Parse a model's output into ToolCalls, whatever shape the teacher or student wrote them in.

Formats (configuration, ``verify.format``):
- ``native``: the API's own calls (OpenAI ``tool_calls``, Anthropic ``tool_use``), already ToolCalls
  on the Sample;
- ``json``: a JSON object or list in the text, with or without a code fence; in tolerant mode every
  further call object, list or fenced block of calls written after the first is read too;
- ``hermes``: ``<tool_call>{...}</tool_call>`` blocks (Hermes, Qwen, SmolLM2 style); a block may
  also hold a list;
- ``pythonic``: BFCL's ``[f(a=1, b="x"), g()]``, read with `ast` and never evaluated;
- ``granite``: ``<function_call> {...}`` (IBM Granite);
- ``auto``: native calls if present, else the first text format whose markers appear.

``strict`` decides whether prose around the calls is tolerated. Text with no call markers at all is
an answer in words (no calls), not a parse failure. Nothing here raises on any input: failures come
back as `ParseFailure` with a position and a message. Every call that comes out has plain JSON
arguments (`distill.records.json_fault`): ``[f(a=...)]``, NaN, a lone surrogate or a 1,000-deep list
is a parse failure here, so nothing later has to cope with them. Time is linear in the text's length.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from distill.records import Sample, ToolCall, json_fault

FORMATS = ("auto", "native", "json", "hermes", "pythonic", "granite")

_HERMES_OPEN, _HERMES_CLOSE = "<tool_call>", "</tool_call>"
_GRANITE = "<function_call>"
_FENCE = re.compile(r"```(?:json|JSON|tool_call|python)?[ \t]*\n?(.*?)```", re.DOTALL)
_PY_CALL_START = re.compile(r"\[\s*[A-Za-z_][\w.]*\s*\(")
_JSON_CALL = re.compile(r'\{\s*"(?:name|function|type)"\s*:')
_LATER_CALL = re.compile(r'(?:\[\s*)?\{\s*(?:"(?:name|function)"\s*:|"type"\s*:\s*"function")')
"""Where a further call starts in tolerant JSON, after the first value: a call object or a list whose
first item is one. Narrower than `_JSON_CALL`: a JSON schema echoed after a call is prose, not a call."""
_BETWEEN_CALLS = re.compile(r"[\s,]*")
_MAX_TEXT = 1_000_000
"""Longer outputs are not parsed: no real tool call is a megabyte long (and parsing is linear anyway)."""
MAX_CALLS = 256
"""More calls than this in one answer is a parse failure, found before the calls are read (BFCL's
largest parallel answer has a handful; reading 4,000 blocks would cost 50 ms for nothing)."""
_TOO_MANY = f"more than {MAX_CALLS} calls in one answer"


@dataclass(frozen=True)
class ParseFailure:
    """Why an output that tried to call could not be read."""

    position: int
    message: str

    def __str__(self) -> str:
        return f"at {self.position}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    """What an output said: calls (possibly none) and the prose around them."""

    calls: tuple[ToolCall, ...]
    text: str


def parse_sample(sample: Sample, fmt: str = "auto", strict: bool = False) -> Parsed | ParseFailure:
    """Parse one sample. Native calls win when the API returned them."""
    if sample.tool_calls:
        return _plain(Parsed(tuple(sample.tool_calls), sample.text or ""))
    if fmt == "native":
        return Parsed((), sample.text or "")
    return parse_text(sample.text or "", fmt, strict)


def parse_text(text: str, fmt: str = "auto", strict: bool = False) -> Parsed | ParseFailure:
    """Parse calls out of raw text in the given format (see module doc)."""
    if fmt not in FORMATS:
        return ParseFailure(0, f"unknown format {fmt!r}")
    if len(text) > _MAX_TEXT:
        return ParseFailure(_MAX_TEXT, f"output of {len(text)} characters is too long to be a call")
    try:
        if fmt == "auto":
            fmt = _detect(text)
            if fmt == "prose":
                return Parsed((), text)
        return _plain(_PARSERS[fmt](text, strict))
    except RecursionError:
        return ParseFailure(0, "structure nested too deeply")


def _plain(parsed: Parsed | ParseFailure) -> Parsed | ParseFailure:
    """A failure when any call's name or arguments are not plain JSON values (see module doc)."""
    if isinstance(parsed, ParseFailure):
        return parsed
    for number, call in enumerate(parsed.calls):
        fault = json_fault(call.arguments) or json_fault(call.name)
        if fault is not None:
            name = call.name.encode("ascii", "backslashreplace").decode()
            return ParseFailure(0, f"call {number} ({name[:60]}): {fault}")
    return parsed


def _detect(text: str) -> str:
    if _HERMES_OPEN in text:
        return "hermes"
    if _GRANITE in text:
        return "granite"
    stripped = text.strip()
    if _PY_CALL_START.match(stripped):
        return "pythonic"
    if stripped.startswith(("{", "[")) or _FENCE.search(text) or _JSON_CALL.search(text):
        return "json"
    return "prose"


def _hermes_blocks(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """(body spans of the ``<tool_call>...</tool_call>`` blocks, the prose between them), in one pass:
    a block ends at the first closing tag after its opening one; an unclosed opening tag and what
    follows it are prose (a regex with a lazy ``.*?`` rescans the rest of the text per opening tag)."""
    spans, prose, position = [], [], 0
    while len(spans) <= MAX_CALLS and (start := text.find(_HERMES_OPEN, position)) >= 0:
        end = text.find(_HERMES_CLOSE, start + len(_HERMES_OPEN))
        if end < 0:
            break
        prose.append(text[position:start])
        spans.append((start + len(_HERMES_OPEN), end))
        position = end + len(_HERMES_CLOSE)
    prose.append(text[position:])
    return spans, prose


def _parse_hermes(text: str, strict: bool) -> Parsed | ParseFailure:
    spans, between = _hermes_blocks(text)
    if len(spans) > MAX_CALLS:
        return ParseFailure(spans[-1][0], _TOO_MANY)
    if not spans:
        start = text.find(_HERMES_OPEN)
        if start >= 0:
            return ParseFailure(start, "<tool_call> is never closed")
        return Parsed((), text)
    calls = _calls_in_spans(text, spans)
    if isinstance(calls, ParseFailure):
        return calls
    prose = "".join(between).strip()
    if strict and prose:
        return ParseFailure(0, "prose around <tool_call> blocks in strict mode")
    return Parsed(tuple(calls), prose)


def _parse_granite(text: str, strict: bool) -> Parsed | ParseFailure:
    start = text.find(_GRANITE)
    if start < 0:
        return Parsed((), text)
    if strict and text[:start].strip():
        return ParseFailure(0, "prose before <function_call> in strict mode")
    chunks = _split_markers(text, _GRANITE)
    if len(chunks) > MAX_CALLS:
        return ParseFailure(chunks[MAX_CALLS][0], _TOO_MANY)
    calls: list[ToolCall] = []
    for chunk_start, chunk in chunks:
        parsed = _calls_from_json_text(chunk, chunk_start)
        if isinstance(parsed, ParseFailure):
            return parsed
        calls.extend(parsed)
    return Parsed(tuple(calls), text[:start].strip())


def _split_markers(text: str, marker: str) -> list[tuple[int, str]]:
    """(start, text) of what follows each marker up to the next; at most MAX_CALLS + 1 of them."""
    positions, position = [], 0
    while len(positions) <= MAX_CALLS and (position := text.find(marker, position)) >= 0:
        positions.append(position)
        position += len(marker)
    ends = positions[1:] + [len(text)]
    return [(p + len(marker), text[p + len(marker):e]) for p, e in zip(positions, ends, strict=True)]


def _parse_json(text: str, strict: bool) -> Parsed | ParseFailure:
    """Strict: the whole text, or one fenced block and nothing else, is one JSON value.

    Tolerant: the first fenced block (unless a bare call comes before it) or else the JSON value at the
    first bracket, then every call object or call list written after it (`_LATER_CALL`): in fenced
    blocks if the answer opened with a fence, anywhere if it did not. Small models write parallel calls
    as bare objects one after another; reading only the first would judge such an answer on one call
    and hide the rest in its prose.
    """
    fences = _fences(text)
    if len(fences) > MAX_CALLS:
        return ParseFailure(fences[MAX_CALLS].start(), _TOO_MANY)
    if strict:
        if fences and (text[: fences[0].start()] + text[fences[0].end():]).strip():
            return ParseFailure(0, "prose around the JSON in strict mode")
        body, offset = (fences[0].group(1), fences[0].start(1)) if fences else (text, 0)
        parsed = _calls_from_json_text(body, offset)
        return parsed if isinstance(parsed, ParseFailure) else Parsed(tuple(parsed), "")
    if fences and not _LATER_CALL.search(text, 0, fences[0].start()):
        calls_in = [fences[0]] + [f for f in fences[1:] if _LATER_CALL.match(f.group(1).lstrip())]
        spans = [(fence.start(1), fence.end(1)) for fence in calls_in]
        prose = _between(text, [(fence.start(), fence.end()) for fence in calls_in])
    else:
        spans = _json_spans(text)
        prose = _between(text, spans)
    calls = _calls_in_spans(text, spans)
    return calls if isinstance(calls, ParseFailure) else Parsed(tuple(calls), prose)


def _calls_in_spans(text: str, spans: list[tuple[int, int]]) -> list[ToolCall] | ParseFailure:
    """The calls of the JSON in each (start, end) span of `text`, in order; the first failure, or more
    than MAX_CALLS calls in all, fails the whole answer."""
    calls: list[ToolCall] = []
    for start, end in spans:
        parsed = _calls_from_json_text(text[start:end], start)
        if isinstance(parsed, ParseFailure):
            return parsed
        calls.extend(parsed)
        if len(calls) > MAX_CALLS:
            return ParseFailure(start, _TOO_MANY)
    return calls


def _fences(text: str) -> list[re.Match[str]]:
    """The fenced blocks, at most MAX_CALLS + 1 of them."""
    fences = []
    for fence in _FENCE.finditer(text):
        fences.append(fence)
        if len(fences) > MAX_CALLS:
            break
    return fences


def _between(text: str, spans: list[tuple[int, int]]) -> str:
    """The text outside the spans, stripped."""
    ends = [0] + [end for _, end in spans]
    starts = [start for start, _ in spans] + [len(text)]
    return "".join(text[end:start] for end, start in zip(ends, starts, strict=True)).strip()


def _json_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the JSON value at the first ``{`` or ``[`` and of every call object or call list
    after it (tolerant mode). A value right after a call (only blanks or commas between) is read too:
    one that does not decode is a further call cut off (``{"na`` at the token limit), one that decodes
    to something else than a call is prose. A value that does not decode runs to the end of the text,
    so that its parse failure is reported with its position; a failure ends the scan (linear time)."""
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    spans: list[tuple[int, int]] = []
    start = min(starts) if starts else -1
    decoder = json.JSONDecoder()
    while start >= 0 and len(spans) <= MAX_CALLS:
        try:
            _, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            spans.append((start, len(text)))
            break
        if not spans or _LATER_CALL.match(text, start):
            spans.append((start, end))
        follower = _BETWEEN_CALLS.match(text, end).end()
        if follower < len(text) and text[follower] in "{[":
            start = follower
        else:
            later = _LATER_CALL.search(text, end)
            start = later.start() if later else -1
    return spans or [(0, len(text))]


def _calls_from_json_text(body: str, offset: int) -> list[ToolCall] | ParseFailure:
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        return ParseFailure(offset + exc.pos, f"invalid JSON: {exc.msg}")
    except (ValueError, RecursionError) as exc:
        return ParseFailure(offset, f"invalid JSON: {exc}")
    return calls_from_json(value, offset)


def calls_from_json(value: Any, offset: int = 0) -> list[ToolCall] | ParseFailure:
    """Read calls from decoded JSON: one call object or a list of them.

    A call object is ``{"name": ..., "arguments": {...}}``; ``parameters`` for ``arguments``, the
    OpenAI wrapper ``{"function": {...}}`` and arguments given as a JSON string are accepted too.
    """
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_CALLS:
        return ParseFailure(offset, _TOO_MANY)
    calls: list[ToolCall] = []
    for number, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("function"), dict):
            item = item["function"]
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return ParseFailure(offset, f"call {number} is not an object with a string 'name'")
        args = item.get("arguments", item.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except (ValueError, RecursionError):
                return ParseFailure(offset, f"call {number}: 'arguments' string is not JSON")
        if args is None:
            args = {}
        if not isinstance(args, dict):
            return ParseFailure(offset, f"call {number}: 'arguments' is {type(args).__name__}, not an object")
        calls.append(ToolCall(item["name"], args))
    return calls


def _parse_pythonic(text: str, strict: bool) -> Parsed | ParseFailure:
    stripped = text.strip()
    match = _PY_CALL_START.search(stripped)
    if match is None:
        return Parsed((), text)
    if strict and match.start() > 0:
        return ParseFailure(0, "prose before the call list in strict mode")
    body = stripped[match.start():]
    end = body.rfind("]")
    if end < 0:
        return ParseFailure(match.start(), "the call list is never closed")
    try:
        tree = ast.parse(body[: end + 1], mode="eval")
    except (SyntaxError, ValueError, MemoryError) as exc:
        return ParseFailure(match.start() + (getattr(exc, "offset", None) or 0), f"not a Python call list: {exc}")
    if not isinstance(tree.body, ast.List):
        return ParseFailure(match.start(), "expected a list of calls")
    if len(tree.body.elts) > MAX_CALLS:
        return ParseFailure(match.start(), _TOO_MANY)
    calls: list[ToolCall] = []
    for node in tree.body.elts:
        call = _ast_call(node)
        if isinstance(call, str):
            return ParseFailure(match.start() + getattr(node, "col_offset", 0), call)
        calls.append(call)
    prose = (stripped[: match.start()] + body[end + 1:]).strip()
    if strict and prose:
        return ParseFailure(end + 1, "prose after the call list in strict mode")
    return Parsed(tuple(calls), prose)


def _ast_call(node: ast.AST) -> ToolCall | str:
    if not isinstance(node, ast.Call) or node.args:
        return "each element must be a call with keyword arguments only"
    name = _dotted_name(node.func)
    if name is None:
        return "the called object is not a plain (dotted) name"
    args: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            return "**kwargs is not allowed"
        try:
            args[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return f"argument {keyword.arg!r} is not a literal value"
    return ToolCall(name, _jsonable(args))


def _dotted_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _jsonable(value: Any) -> Any:
    """Python literals -> JSON values (tuples and sets become lists)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes | complex):
        return str(value)
    return value


_PARSERS = {
    "json": _parse_json,
    "hermes": _parse_hermes,
    "pythonic": _parse_pythonic,
    "granite": _parse_granite,
    "native": lambda text, strict: Parsed((), text),
}
