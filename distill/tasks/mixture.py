"""Mixtures: how many tasks of each sub-task and split to generate (``conf/tasks/*.yaml``).

``tasks=granular`` renders every sub-task with its instruction; ``tasks=umbrella`` is Granite's umbrella
baseline at the same budget: end-to-end requests answered by calls (simple, parallel, chaining, nested),
with no instruction and none of the separate objectives. ``instruction=empty|wrong`` on granular is the
instruction ablation (same tasks, the instruction removed or swapped).
Generation is deterministic: each task draws from its own RNG seeded by (seed, sub-task, split, index),
so a task does not change when the budget of another sub-task does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from distill.records import SPLITS, SUBTASKS, Task
from distill.tasks.base import Context, ToolPool, generator

MAX_REDRAWS = 50


@dataclass(frozen=True)
class Mixture:
    """A task budget over sub-tasks and splits."""

    name: str
    weights: dict[str, float]
    """Sub-task -> relative weight; sub-tasks left out get no tasks."""
    total: int
    """Tasks over all sub-tasks and splits (the default is conf/tasks/granular.yaml's)."""
    splits: dict[str, float] = field(default_factory=lambda: {"train": 0.8, "dev": 0.1, "test": 0.1})
    instruction: str = "full"
    """``full``, ``empty`` or ``wrong`` (see `distill.tasks.base.Context.instruction`)."""
    heldout_tool_fraction: float = 0.25
    heldout_template_fraction: float = 0.25

    def __post_init__(self) -> None:
        for key in self.weights:
            if key not in SUBTASKS:
                raise ValueError(f"tasks.weights.{key}: unknown sub-task (expected one of {', '.join(SUBTASKS)})")
        for key in self.splits:
            if key not in SPLITS:
                raise ValueError(f"tasks.splits.{key}: unknown split (expected train, dev or test)")
        if self.instruction not in ("full", "empty", "wrong"):
            raise ValueError(f"tasks.instruction={self.instruction!r}: expected full, empty or wrong")
        if self.total < 0 or any(w < 0 for w in self.weights.values()):
            raise ValueError("tasks.total and tasks.weights must be non-negative")

    def budgets(self) -> dict[tuple[str, str], int]:
        """(sub-task, split) -> number of tasks, summing exactly to `total` (largest remainder)."""
        cells = {(s, p): self.weights[s] * self.splits[p] for s in SUBTASKS if s in self.weights for p in self.splits}
        norm = sum(cells.values()) or 1.0
        exact = {k: self.total * v / norm for k, v in cells.items()}
        counts = {k: int(v) for k, v in exact.items()}
        by_remainder = sorted(exact, key=lambda k: (counts[k] - exact[k], k))
        for key in by_remainder[: self.total - sum(counts.values())]:
            counts[key] += 1
        return counts

    def generate(self, seed: int, progress: bool = False) -> Iterator[Task]:
        """Yield every task of the mixture (see `generate_tasks`)."""
        return generate_tasks(self, seed, progress)


def generate_tasks(mixture: Mixture, seed: int, progress: bool = False) -> Iterator[Task]:
    """Yield every task of the mixture, sub-task by sub-task, split by split.

    Raises:
        RuntimeError: when a generator cannot make a task for a split (say, every composition it
            could use involves a held-out tool); names the sub-task and split.
    """
    pool = ToolPool(seed, mixture.heldout_tool_fraction, mixture.heldout_template_fraction)
    budgets = mixture.budgets()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=sum(budgets.values()), desc=f"tasks ({mixture.name})", unit="task")
    for (subtask, split), count in budgets.items():
        generate = generator(subtask).generate
        for index in range(count):
            rng = random.Random(f"{seed}:{subtask}:{split}:{index}")
            for _ in range(MAX_REDRAWS):
                ctx = Context(rng=rng, split=split, pool=pool, subtask=subtask, instruction=mixture.instruction)
                task = generate(ctx, index)
                if task is not None:
                    break
            else:
                raise RuntimeError(f"cannot generate a {subtask} task for split {split}: no usable tool combination")
            if bar is not None:
                bar.update()
            yield task
    if bar is not None:
        bar.close()
