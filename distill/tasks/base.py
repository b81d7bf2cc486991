"""What every sub-task generator shares: the split policy (held-out tools and templates), the system
turn, request rendering, distractor choice and gold execution.

Each sub-task of `distill.records.SUBTASKS` is one module, `distill.tasks.<subtask>` (see `generator`),
holding its ``INSTRUCTION`` and a function ``generate(ctx: Context, index) -> Task | None``; the `Context`
carries the RNG for one task, the split and the `ToolPool`. Returning None means "this draw cannot
make a task" (say, no composition available); the mixture redraws with the next RNG state.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import random
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from distill.records import SUBTASKS, Gold, Task, Tool, ToolCall
from distill.tools import call_tool, registry, reset_state, tool_schema
from distill.tools.base import Composition, Fallback, Intent, ToolSpec, render
from distill.verify.sandbox import resolve_ref

BASE_SYSTEM = (
    "You can call functions. Call one only if it fits the request and every required value is known; "
    'otherwise answer in words. An argument {"$ref": i} stands for the result of call i (from 0) of your turn.'
)

def generator(subtask: str) -> ModuleType:
    """The module of a granular sub-task, `distill.tasks.<subtask>`: its ``INSTRUCTION`` and its
    ``generate(ctx, index) -> Task | None``. `distill.records.SUBTASKS` names them; nothing else lists them.

    Raises:
        ValueError: for a name that is not one of `SUBTASKS`.
    """
    if subtask not in SUBTASKS:
        raise ValueError(f"unknown sub-task {subtask!r} (expected one of {', '.join(SUBTASKS)})")
    return importlib.import_module(f"distill.tasks.{subtask}")


def instruction_of(subtask: str) -> str:
    """A granular sub-task's instruction, as the system turn of its tasks states it."""
    return str(generator(subtask).INSTRUCTION)


def stable_fraction(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts`: the same on every machine and Python (unlike hash())."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class ToolPool:
    """Which tools and templates each split may use.

    Held-out tools never appear in train or dev (neither as gold nor as distractor); held-out templates
    of the other tools are used only in test. Both are fixed by the seed.
    """

    seed: int
    heldout_tool_fraction: float = 0.25
    heldout_template_fraction: float = 0.25

    @functools.cached_property
    def heldout_tools(self) -> frozenset[str]:
        """The `heldout_tool_fraction` of each domain's tools with the lowest stable hash."""
        held: set[str] = set()
        by_domain: dict[str, list[str]] = {}
        for spec in registry().tools.values():
            by_domain.setdefault(spec.domain, []).append(spec.name)
        for names in by_domain.values():
            names.sort(key=lambda n: stable_fraction(self.seed, "heldout-tool", n))
            held.update(names[: max(1, round(len(names) * self.heldout_tool_fraction))])
        return frozenset(held)

    def tools(self, split: str) -> list[ToolSpec]:
        specs = sorted(registry().tools.values(), key=lambda s: s.name)
        if split == "test":
            return specs
        return [s for s in specs if s.name not in self.heldout_tools]

    def allows(self, split: str, *names: str) -> bool:
        return split == "test" or not (set(names) & self.heldout_tools)

    def templates(self, split: str, key: str, templates: tuple[str, ...]) -> list[tuple[int, str]]:
        """(index, template) pairs this split may use for one intent or composition, identified by `key`."""
        if len(templates) < 2:
            return list(enumerate(templates))
        order = sorted(range(len(templates)), key=lambda i: stable_fraction(self.seed, "template", key, i))
        # At least 2 held out for a full intent (>= 8 templates), and always at least 1 left for training.
        floor = 2 if len(templates) >= 8 else 1
        n_held = min(len(templates) - 1, max(floor, round(len(templates) * self.heldout_template_fraction)))
        chosen = order[:n_held] if split == "test" else order[n_held:]
        return [(i, templates[i]) for i in sorted(chosen)]


@dataclass
class Context:
    """Everything one generator call needs."""

    rng: random.Random
    split: str
    pool: ToolPool
    subtask: str
    instruction: str = "full"
    """``full`` (the sub-task's instruction), ``empty`` (none: the umbrella rendering) or ``wrong``
    (another sub-task's instruction, for the "instructions teach format" ablation)."""
    meta: dict[str, Any] = field(default_factory=dict)

    def pick_tool(self, candidates: list[ToolSpec] | None = None) -> ToolSpec:
        """A gold tool for this split; in test, half the draws come from the held-out tools."""
        candidates = candidates if candidates is not None else self.pool.tools(self.split)
        if self.split == "test":
            held = [s for s in candidates if s.name in self.pool.heldout_tools]
            seen = [s for s in candidates if s.name not in self.pool.heldout_tools]
            if held and seen:
                candidates = held if self.rng.random() < 0.5 else seen
        return self.rng.choice(candidates)

    def request(self, spec: ToolSpec, intent: Intent | None = None) -> tuple[str, dict[str, Any]]:
        """Render a user request for `spec`: (text, the sampled arguments)."""
        intent = intent or self.rng.choice(spec.intents)
        number = spec.intents.index(intent)
        index, template = self.rng.choice(self.pool.templates(self.split, f"{spec.name}#{number}", intent.templates))
        args = intent.sample(self.rng)
        self.meta.setdefault("templates", []).append(f"{spec.name}#{number}/{index}")
        self.meta.setdefault("heldout_tool", False)
        self.meta["heldout_tool"] = self.meta["heldout_tool"] or spec.name in self.pool.heldout_tools
        return render(template, args), args

    def composed_request(self, comp: Composition) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Render a request for a composition: (text, first's arguments, second's user arguments)."""
        key = f"{comp.first}>{comp.second}.{comp.param}"
        index, template = self.rng.choice(self.pool.templates(self.split, key, comp.templates))
        a, b = comp.sample(self.rng)
        self.meta["templates"] = [f"{key}/{index}"]
        self.meta["heldout_tool"] = bool({comp.first, comp.second} & self.pool.heldout_tools)
        return render(template, {"a": a, "b": b}), a, b

    def distractors(self, exclude: set[str], k: int) -> list[ToolSpec]:
        """`k` other tools, from the gold tools' domains first ("similar" functions), then any domain."""
        domains = {registry().tools[n].domain for n in exclude if n in registry().tools}
        pool = [s for s in self.pool.tools(self.split) if s.name not in exclude]
        near = [s for s in pool if s.domain in domains]
        far = [s for s in pool if s.domain not in domains]
        self.rng.shuffle(near)
        self.rng.shuffle(far)
        return (near + far)[:k]

    def compositions(self, nested_only: bool = False) -> list[Composition]:
        comps = registry().compositions
        return [c for c in comps if self.pool.allows(self.split, c.first, c.second)
                and (not nested_only or c.key is None)]

    def fallbacks(self) -> list[Fallback]:
        return [f for f in registry().fallbacks if self.pool.allows(self.split, f.primary, f.alternative)]

    def system_message(self) -> dict[str, str]:
        return system_message(self.subtask, self.instruction)

    def task(self, index: int, messages: list[dict[str, Any]], tools: list[ToolSpec], gold: Gold) -> Task:
        """Assemble the Task; the tool list order is shuffled so the gold is not always first."""
        tools = list(tools)
        self.rng.shuffle(tools)
        return Task(
            id=f"{self.subtask}/{self.split}/{index:06d}", subtask=self.subtask, split=self.split,
            messages=(self.system_message(), *messages), tools=tuple(schemas(t.name for t in tools)),
            gold=gold, meta={"instruction": self.instruction, **self.meta},
        )


def system_message(subtask: str, instruction: str) -> dict[str, str]:
    """The system turn of a task: the base rules plus the sub-task's instruction (``full``), none
    (``empty``) or another sub-task's (``wrong``)."""
    text = BASE_SYSTEM
    if instruction == "full":
        text += "\n" + instruction_of(subtask)
    elif instruction == "wrong":
        others = [s for s in SUBTASKS if s != subtask]
        text += "\n" + instruction_of(others[_stable_index(subtask, len(others))])
    elif instruction != "empty":
        raise ValueError(f"tasks.instruction={instruction!r}: expected full, empty or wrong")
    return {"role": "system", "content": text}


def _stable_index(key: str, n: int) -> int:
    return int(stable_fraction("wrong-instruction", key) * n)


def schemas(names: Any) -> list[Tool]:
    return [tool_schema(n) for n in names]


def execute(calls: list[ToolCall]) -> list[Any]:
    """Run trusted gold calls in order on a freshly reset store, resolving ``{"$ref": i}`` arguments.

    Only gold calls built by generators come here; model output is executed in the sandbox.
    """
    reset_state()
    results: list[Any] = []
    for call in calls:
        args = {k: resolve_ref(v, results) for k, v in call.arguments.items()}
        results.append(call_tool(call.name, args))
    return results


JOINERS = (" Also, ", " And ", " Then ", " Plus, ", " In addition, ", " Separately, ", " Besides that, ")


def join_requests(rng: random.Random, parts: list[str]) -> str:
    """One message from several requests: "A. Also, b. Then c." (lower-casing where a sentence continues)."""
    text = parts[0]
    for part in parts[1:]:
        joiner = rng.choice(JOINERS)
        text += joiner + (part[:1].lower() + part[1:] if part[1:2].islower() else part)
    return text


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def tool_result(name: str, result: Any) -> dict[str, str]:
    return {"role": "tool", "name": name, "content": json.dumps(result, ensure_ascii=False, sort_keys=True)}
