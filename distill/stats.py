"""Statistics for claims about models measured on the same tasks.

A proportion gets a Wilson interval (`wilson`). Two models answered the *same* tasks, so they are
compared task by task: McNemar's exact test on the discordant tasks (one right, the other wrong) per
sub-task and pooled over sub-tasks, with Holm's correction across the per-sub-task tests, and a paired
bootstrap interval of the macro-accuracy difference that resamples tasks within each sub-task.
Several seeds of a model are paired task by task too: each (seed, task) is one matched pair for
McNemar, and the bootstrap resamples tasks with every seed's answer to a task kept together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from distill.records import bfcl_category

Outcomes = Mapping[str, tuple[str, bool]]
"""task id -> (sub-task, answered correctly): one model's eval run, as the tests need it."""

ALPHA = 0.05


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion (sensible at 0, 1 and small n)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: under "no difference" each discordant task is equally likely
    to favour either model, so the smaller count is Binomial(only_a + only_b, 1/2)."""
    n, k = only_a + only_b, min(only_a, only_b)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error over the per-sub-task tests), in input order."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class PairedTest:
    """Model B against model A on one group of tasks (a sub-task, a BFCL category, or a pool of them)."""

    group: str
    n: int
    """Tasks both runs answered (per seed)."""
    a: float
    """Accuracy of A on them (mean over seeds)."""
    b: float
    only_a: int
    """Discordant (seed, task) pairs A got right and B wrong."""
    only_b: int
    p_value: float
    """Exact McNemar, two-sided."""
    p_holm: float | None = None
    """Holm-adjusted over the per-sub-task rows (None for pooled rows)."""

    @property
    def diff(self) -> float:
        return self.b - self.a


@dataclass(frozen=True)
class Comparison:
    """Everything said about B versus A: per-group tests, pooled tests and the macro difference."""

    a: str
    b: str
    seeds: int
    rows: tuple[PairedTest, ...]
    pooled: PairedTest | None
    """All granular sub-tasks' tasks pooled (None when there are none)."""
    pooled_bfcl: PairedTest | None
    macro_diff: float | None
    """Macro accuracy (mean over granular sub-tasks) of B minus A."""
    macro_ci95: tuple[float, float] | None
    """Paired bootstrap 95% interval of `macro_diff`."""

    def finding(self, alpha: float = ALPHA) -> str:
        """One sentence: a difference, "no difference detected", or "inconclusive" when the two tests
        disagree, always with the macro interval and the pooled p-value.

        A difference is claimed only when both say so, in the same direction: the pooled McNemar test
        rejects and the macro interval excludes 0. They can disagree near the threshold: the bootstrap
        resamples within sub-tasks (the macro's own weighting) and so ignores how much the sub-tasks
        disagree with each other, while the pooled test counts every task once."""
        if self.pooled is None or self.macro_diff is None or self.macro_ci95 is None:
            return "no granular sub-task in common: nothing to compare"
        lo, hi = self.macro_ci95
        rejects, excludes_zero = self.pooled.p_value < alpha, not lo <= 0 <= hi
        if not rejects and not excludes_zero:
            return f"no difference detected between {self.b} and {self.a}: {self.numbers(self.b)}"
        ahead, behind = (self.b, self.a) if self.macro_diff > 0 else (self.a, self.b)
        same_direction = (self.pooled.only_b - self.pooled.only_a) * self.macro_diff > 0
        if rejects and excludes_zero and same_direction:
            return f"{ahead} is better than {behind}: {self.numbers(ahead)}"
        why = ("both reject, but the pooled tasks lean the other way" if rejects and excludes_zero else
               f"the macro interval excludes 0, the pooled McNemar test does not reject at {alpha}" if excludes_zero
               else "the pooled McNemar test rejects, the macro interval includes 0")
        lead = f"{ahead} is ahead of {behind} on the macro" if self.macro_diff else "the macro is level"
        return f"inconclusive, the two tests disagree ({why}); {lead}: {self.numbers(ahead)}"

    def numbers(self, first: str) -> str:
        """The macro difference, its interval, the pooled p-value and the discordant counts, read as
        `first` (A or B) minus the other arm, so a sentence naming `first` first reads with its sign."""
        assert self.pooled is not None and self.macro_diff is not None and self.macro_ci95 is not None
        sign = 1 if first == self.b else -1
        diff = sign * self.macro_diff + 0.0  # + 0.0: no "-0.000"
        lo, hi = sorted(sign * bound + 0.0 for bound in self.macro_ci95)
        other, won, lost = ((self.a, self.pooled.only_b, self.pooled.only_a) if sign == 1
                            else (self.b, self.pooled.only_a, self.pooled.only_b))
        return (f"macro {diff:+.3f} [{lo:+.3f}, {hi:+.3f}], pooled McNemar p = {format_p(self.pooled.p_value)} "
                f"({won} tasks only {first} got right, {lost} only {other}; "
                f"n = {self.pooled.n} x {self.seeds} seed(s))")


def paired_outcomes(a: Sequence[Outcomes], b: Sequence[Outcomes]) -> dict[str, list[list[tuple[bool, bool]]]]:
    """group -> per task (in both runs of every seed), the (A right, B right) of each seed.

    `a` and `b` list one run per seed, aligned; a single A run (say, the base model) is paired with
    every seed of B.

    Raises:
        ValueError: when the seed lists cannot be aligned.
    """
    if len(a) == 1 and len(b) > 1:
        a = list(a) * len(b)
    if len(b) == 1 and len(a) > 1:
        b = list(b) * len(a)
    if len(a) != len(b) or not a:
        raise ValueError(f"cannot pair {len(a)} run(s) of A with {len(b)} run(s) of B")
    common = set.intersection(*(set(run) for run in (*a, *b)))
    groups: dict[str, list[list[tuple[bool, bool]]]] = {}
    for task_id in sorted(common):
        group = a[0][task_id][0]
        groups.setdefault(group, []).append([(ra[task_id][1], rb[task_id][1]) for ra, rb in zip(a, b, strict=True)])
    return groups


def compare(a: Sequence[Outcomes], b: Sequence[Outcomes], label_a: str = "A", label_b: str = "B",
            iterations: int = 10_000, seed: int = 0) -> Comparison:
    """B against A on the tasks both answered (see `paired_outcomes` for seeds)."""
    groups = paired_outcomes(a, b)
    seeds = max(len(a), len(b))
    rows = [_test(name, tasks) for name, tasks in sorted(groups.items(), key=lambda kv: (_is_bfcl(kv[0]), kv[0]))]
    granular = {k: v for k, v in groups.items() if not _is_bfcl(k)}
    bfcl = {k: v for k, v in groups.items() if _is_bfcl(k)}
    p_holm = holm([r.p_value for r in rows])
    rows = [PairedTest(r.group, r.n, r.a, r.b, r.only_a, r.only_b, r.p_value, _sig(p))
            for r, p in zip(rows, p_holm, strict=True)]
    pooled = _test("granular (pooled)", [t for v in granular.values() for t in v]) if granular else None
    pooled_bfcl = _test("BFCL (pooled)", [t for v in bfcl.values() for t in v]) if bfcl else None
    macro, ci = (bootstrap_macro(granular, iterations, seed) if granular else (None, None))
    return Comparison(label_a, label_b, seeds, tuple(rows), pooled, pooled_bfcl, macro, ci)


def bootstrap_macro(groups: Mapping[str, list[list[tuple[bool, bool]]]], iterations: int = 10_000,
                    seed: int = 0) -> tuple[float, tuple[float, float]]:
    """(macro difference B - A, its paired bootstrap 95% percentile interval): tasks are resampled with
    replacement within each group, each task carrying its answers of every seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    observed, draws = 0.0, np.zeros(iterations)
    for tasks in groups.values():
        # Per task: B's minus A's share of correct answers over the seeds.
        d = np.array([sum(ob - oa for oa, ob in seeds) / len(seeds) for seeds in tasks], dtype=float)
        observed += d.mean()
        draws += d[rng.integers(0, len(d), size=(iterations, len(d)))].mean(axis=1)
    observed, draws = observed / len(groups), draws / len(groups)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return round(float(observed), 4), (round(float(lo), 4), round(float(hi), 4))


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, min, max) of one figure over seeds."""
    return (round(sum(values) / len(values), 4), min(values), max(values))


def _test(group: str, tasks: list[list[tuple[bool, bool]]]) -> PairedTest:
    pairs = [pair for seeds in tasks for pair in seeds]
    only_a = sum(oa and not ob for oa, ob in pairs)
    only_b = sum(ob and not oa for oa, ob in pairs)
    n_pairs = max(1, len(pairs))
    return PairedTest(group, len(tasks), round(sum(oa for oa, _ in pairs) / n_pairs, 4),
                      round(sum(ob for _, ob in pairs) / n_pairs, 4), only_a, only_b,
                      _sig(mcnemar_exact(only_a, only_b)))


def _sig(p: float) -> float:
    """A p-value kept to six significant digits: rounding to six decimals made every p below 5e-7 a 0."""
    return float(f"{p:.6g}")


def _is_bfcl(group: str) -> bool:
    return bfcl_category(group) is not None


def format_p(value: float) -> str:
    """A p-value as the reports print it: three decimals, or scientific below 0.001."""
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"
