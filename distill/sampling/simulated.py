"""The simulated teacher: an offline oracle that answers from each task's gold and injects realistic
errors at configurable rates, one rate per failure mode.

It exists so that the whole pipeline runs offline and so that the verifier can be measured against
known error rates. It never reveals which samples it corrupted (a Sample carries nothing but the
output): the verifier has to find out. Its backend name, ``simulated``, is written into every Sample
and therefore into every artifact and report built from them.

Each (seed, task, sample index) has its own RNG, so a sample does not depend on which other samples
were requested with it: a resumed run reproduces an uninterrupted one exactly.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from distill.formatting import render_calls
from distill.records import Sample, Task, ToolCall, Usage, is_ref
from distill.sampling.base import Closing, SamplerConfig, SamplingParams, typed_options, wanted

MODES = ("wrong_function", "missing_argument", "extra_argument", "wrong_type", "wrong_value",
         "wrong_call_count", "broken_format", "irrelevant_call", "prose")
CALL_MODES = frozenset(MODES) - {"irrelevant_call"}
"""Modes that apply to tasks whose answer is a call; ``irrelevant_call`` applies to the others."""


@dataclass(frozen=True)
class SimulatedSampler(Closing):
    """The oracle teacher (``conf/teacher/simulated.yaml``)."""

    error_rates: dict[str, float] = field(default_factory=dict)
    model: str = "simulated-oracle"

    def __post_init__(self) -> None:
        unknown = set(self.error_rates) - set(MODES)
        if unknown:
            raise ValueError(f"teacher.options.error_rates: unknown failure modes {sorted(unknown)}; known: {MODES}")
        for mode, rate in self.error_rates.items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0.0 <= rate <= 1.0:
                raise ValueError(f"teacher.options.error_rates.{mode}={rate!r}: a rate is a probability in [0, 1]")

    def sample(self, tasks: Iterable[Task], params: SamplingParams,
               indices: Mapping[str, Sequence[int]] | None = None) -> Iterator[Sample]:
        for task in tasks:
            for index in wanted(task, params, indices):
                rng = random.Random(f"{params.seed}:{task.id}:{index}")
                text, calls = self.answer(task, rng)
                size = sum(len(m.get("content") or "") for m in task.messages) // 4
                out = len(text or "") // 4 + sum(len(json.dumps(c.arguments)) for c in calls or ()) // 4
                yield Sample(task.id, index, backend="simulated", model=self.model, text=text, tool_calls=calls,
                             usage=Usage(size, out))

    def answer(self, task: Task, rng: random.Random) -> tuple[str | None, tuple[ToolCall, ...] | None]:
        """(text, native calls) for one sample: the gold answer, or one failure mode applied to it. A
        writing request (`distill.tasks.writer`) gets the simulated writer's reply instead."""
        if "write" in task.meta:
            from distill.tasks.writer import simulated_write

            return simulated_write(task.meta["write"], rng), None
        mode = self._draw_mode(task, rng)
        if task.gold.calls:
            calls = task.gold.calls
            if mode == "prose":
                return f"I would use {calls[0].name} for this, but I'll describe it instead.", None
            if mode == "broken_format":
                return render_calls(calls)[:-16].replace('"arguments"', '"arguments":', 1), None
            if mode is not None:
                corrupted = corrupt(mode, calls, task, rng)
                if corrupted is not None:
                    return None, corrupted
            return None, calls
        if mode == "irrelevant_call" and task.tools:
            spec = rng.choice(task.tools)
            args = {name: _placeholder(s) for name, s in spec.parameters.get("properties", {}).items()
                    if name in spec.parameters.get("required", [])}
            return None, (ToolCall(spec.name, args),)
        if task.gold.facts:
            stated = ", ".join(f"{f.name.split('.')[-1].replace('_', ' ')}: {f.value}" for f in task.gold.facts)
            return f"Here is what I found. {stated}.", None
        return "I can't do that with the functions I have. Could you give me more details?", None

    def _draw_mode(self, task: Task, rng: random.Random) -> str | None:
        applicable = CALL_MODES if task.gold.calls else {"irrelevant_call"}
        roll, edge = rng.random(), 0.0
        for mode in MODES:
            if mode in applicable:
                edge += self.error_rates.get(mode, 0.0)
                if roll < edge:
                    return mode
        return None


def corrupt(mode: str, calls: tuple[ToolCall, ...], task: Task, rng: random.Random) -> tuple[ToolCall, ...] | None:
    """Apply one failure mode to the gold calls; None when the mode cannot apply to this task."""
    target = rng.randrange(len(calls))
    call = calls[target]
    args = dict(call.arguments)
    if mode == "wrong_function":
        others = [t.name for t in task.tools if t.name not in {c.name for c in calls}]
        if not others:
            return None
        changed = ToolCall(rng.choice(others), args)
    elif mode == "missing_argument":
        if not args:
            return None
        args.pop(rng.choice(sorted(args)))
        changed = ToolCall(call.name, args)
    elif mode == "extra_argument":
        changed = ToolCall(call.name, {**args, rng.choice(("verbose", "format", "limit", "strict")): True})
    elif mode in ("wrong_type", "wrong_value"):
        plain = [k for k, v in args.items() if not is_ref(v)]
        if not plain:
            return None
        key = rng.choice(sorted(plain))
        args[key] = _retype(args[key]) if mode == "wrong_type" else _perturb(args[key], rng)
        changed = ToolCall(call.name, args)
    elif mode == "wrong_call_count":
        return calls[:-1] if len(calls) > 1 else (*calls, calls[0])
    else:
        return None
    return (*calls[:target], changed, *calls[target + 1:])


def _retype(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    return json.dumps(value)


def _perturb(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice((-2, -1, 1, 2, 10))
    if isinstance(value, float):
        return round(value * rng.choice((0.5, 0.9, 1.1, 2.0)) + 1.0, 2)
    if isinstance(value, str):
        return value[::-1] if len(value) > 2 and value[::-1] != value else value + " extra"
    if isinstance(value, list) and value:
        return value[:-1] if len(value) > 1 else [*value, value[0]]
    if isinstance(value, dict) and value:
        key = sorted(value)[0]
        return {**value, key: _perturb(value[key], rng)}
    return value


def _placeholder(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 1, "number": 1.0, "boolean": True, "array": [], "object": {}}.get(kind, "something")


@dataclass(frozen=True)
class SimulatedOptions:
    """``teacher.options`` of the simulated backend."""

    error_rates: dict[str, float] = field(default_factory=dict)
    """Failure mode (one of `MODES`) -> the probability that an answer has it."""


def from_config(config: SamplerConfig) -> SimulatedSampler:
    options = typed_options(SimulatedOptions, config.options, "simulated")
    return SimulatedSampler(error_rates=dict(options.error_rates), model=config.model)
