"""How a tool is declared: a typed, documented Python function plus the ways people ask for it.

A domain module (``distill/tools/finance.py`` ...) defines plain functions with type hints and
Google-style docstrings and registers them with `tool`. The JSON schema shown to models comes from
`transformers.utils.get_json_schema`, so the docstring *is* the schema's documentation.

Besides the function, the task generators need to know how people phrase a request for it
(`Intent.templates`, at least 8 paraphrases) and how to draw typed random arguments
(`Intent.sample`). Cross-tool knowledge lives in `Composition` (one call's result feeds another:
chaining and nested tasks) and `Fallback` (the next-best alternative when a tool is down).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Sampler = Callable[[random.Random], dict[str, Any]]


@dataclass(frozen=True)
class Intent:
    """A way of asking for one tool."""

    templates: tuple[str, ...]
    """At least 8 paraphrases of the request. Placeholders are argument names: ``{city}``,
    ``{item[name]}`` for a dict argument's key; lists render as "a, b and c"."""
    sample: Sampler
    """Draws the arguments the request mentions, typed as the schema says, from the given RNG only."""
    vague: tuple[str, ...] = ()
    """Requests for the same thing that leave out a required value (used for irrelevance: the right
    move is to ask, not to call). May use placeholders of the arguments they do mention."""


@dataclass(frozen=True)
class ToolSpec:
    """A registered tool."""

    name: str
    domain: str
    fn: Callable[..., Any]
    intents: tuple[Intent, ...]
    stateful: bool = False
    """True when the tool reads or writes the in-memory store (reset before each task)."""


@dataclass(frozen=True)
class Composition:
    """Two calls where the second consumes the first's result (chaining and nested tasks)."""

    first: str
    second: str
    param: str
    """The parameter of `second` that receives the first call's result."""
    sample: Callable[[random.Random], tuple[dict[str, Any], dict[str, Any]]]
    """Draws (arguments of `first`, the user-given arguments of `second` without `param`)."""
    templates: tuple[str, ...]
    """At least 8 phrasings of the whole request. ``{a[x]}`` is argument x of the first call,
    ``{b[y]}`` argument y of the second."""
    key: str | None = None
    """Take this key of the first result (a dict) instead of the whole result. Nested tasks use only
    compositions with ``key=None`` (the whole output is the argument)."""


@dataclass(frozen=True)
class Fallback:
    """When `primary` is unavailable or fails, `alternative` can answer the same request."""

    primary: str
    alternative: str
    convert: Callable[[dict[str, Any]], dict[str, Any]]
    """Maps the primary call's arguments to the alternative's."""


@dataclass
class Registry:
    tools: dict[str, ToolSpec] = field(default_factory=dict)
    compositions: list[Composition] = field(default_factory=list)
    fallbacks: list[Fallback] = field(default_factory=list)


REGISTRY = Registry()


def tool(
    domain: str,
    templates: tuple[str, ...] | list[str] = (),
    sample: Sampler | None = None,
    vague: tuple[str, ...] | list[str] = (),
    intents: tuple[Intent, ...] = (),
    stateful: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function as a tool. Give `templates` + `sample` (one intent) or `intents`.

    Raises:
        ValueError: on a duplicate name or an intent with fewer than 8 templates.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        all_intents = tuple(intents)
        if templates:
            if sample is None:
                raise ValueError(f"tool {fn.__name__}: templates given without sample")
            all_intents = (Intent(tuple(templates), sample, tuple(vague)), *all_intents)
        if fn.__name__ in REGISTRY.tools:
            raise ValueError(f"duplicate tool name {fn.__name__!r}")
        for intent in all_intents:
            if len(intent.templates) < 8:
                raise ValueError(f"tool {fn.__name__}: an intent has {len(intent.templates)} templates, need >= 8")
        REGISTRY.tools[fn.__name__] = ToolSpec(fn.__name__, domain, fn, all_intents, stateful)
        return fn

    return register


def compose(composition: Composition) -> Composition:
    """Register a composition (see `Composition`).

    Raises:
        ValueError: with fewer than 8 templates.
    """
    if len(composition.templates) < 8:
        raise ValueError(f"composition {composition.first}->{composition.second}: need >= 8 templates")
    REGISTRY.compositions.append(composition)
    return composition


def fallback(fb: Fallback) -> Fallback:
    REGISTRY.fallbacks.append(fb)
    return fb


class _Mention:
    """Formats an argument value the way a person would write it in a request."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __getitem__(self, key: Any) -> _Mention:
        return _Mention(self.value[key])

    def __format__(self, spec: str) -> str:
        return mention(self.value, spec)


def mention(value: Any, spec: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not spec:
        return repr(value)
    if isinstance(value, list | tuple):
        parts = [mention(v, spec) for v in value]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if isinstance(value, dict):
        return ", ".join(f"{k} {mention(v, spec)}" for k, v in value.items())
    return format(value, spec)


def render(template: str, args: Mapping[str, Any]) -> str:
    """Fill a request template with argument values (see `Intent.templates`)."""
    return template.format_map({k: _Mention(v) for k, v in args.items()})
