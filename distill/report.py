"""The report: per-sub-task accuracy of several eval runs side by side, how rejection reasons shift,
pair statistics, training curves, and findings stated with the measured numbers.

Library code: takes loaded summaries and stats (the recipe reads them through `distill.io`), writes
PNG figures with matplotlib and returns Markdown; `to_html` renders that Markdown for report.html.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.evaluate import leaderboard_tables
from distill.stats import Comparison, format_p, spread

SECTIONS = ("Findings", "Accuracy per sub-task", "Rejection reasons", "Pairs", "Training")


@dataclass(frozen=True)
class EvalRun:
    """One evaluated model, as the report sees it."""

    label: str
    summary: dict[str, Any]
    role: str = "other"
    """``base``, ``trained``, ``teacher`` or ``other``: which comparison it takes part in."""
    arm: str = ""
    """What produced a trained model: ``granular``/``umbrella`` and ``DPO``/``SFT``/``SFT->DPO``."""
    memory: str = "off"


@dataclass
class ReportInputs:
    evals: list[EvalRun]
    pair_stats: dict[str, Any] | None = None
    curves: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    """(dpo run label, its metrics.jsonl entries)."""
    no_pairs: str = "No pairs run was given (`pairs_run=...`)."
    """What the Pairs section says without pair statistics."""
    no_curves: str = "No dpo run was given (`dpo_runs=[...]`)."


def subtasks_of(evals: Sequence[EvalRun]) -> list[str]:
    names: list[str] = []
    for run in evals:
        names += [n for n in run.summary["subtasks"] if n not in names]
    return names


def plot_accuracy(evals: Sequence[EvalRun], path: Path) -> None:
    """Grouped bars per sub-task, one bar per eval run, with Wilson 95% intervals."""
    plt = _pyplot()
    names = subtasks_of(evals)
    width = 0.8 / max(1, len(evals))
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(names) + 2), 4.2))
    for k, run in enumerate(evals):
        acc = [run.summary["subtasks"].get(n, {}).get("accuracy", 0.0) for n in names]
        lo = [a - run.summary["subtasks"].get(n, {}).get("ci95", [a, a])[0] for a, n in zip(acc, names, strict=True)]
        hi = [run.summary["subtasks"].get(n, {}).get("ci95", [a, a])[1] - a for a, n in zip(acc, names, strict=True)]
        xs = [i + (k - (len(evals) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, acc, width, yerr=[lo, hi], capsize=2, label=run.label)
    ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy (95% CI)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reasons(evals: Sequence[EvalRun], path: Path) -> None:
    """One stacked bar per eval run: the share of each verdict reason."""
    plt = _pyplot()
    reasons = sorted({r for run in evals for r in run.summary["reasons"]}, key=lambda r: (r != "ok", r))
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(evals) + 1.8))
    for k, run in enumerate(evals):
        total = sum(run.summary["reasons"].values()) or 1
        left = 0.0
        for i, reason in enumerate(reasons):
            share = run.summary["reasons"].get(reason, 0) / total
            ax.barh(k, share, left=left, color=plt.cm.tab20(i % 20), label=reason if k == 0 else None)
            left += share
    ax.set_yticks(range(len(evals)), [r.label for r in evals], fontsize=8)
    ax.set_xlabel("share of answers")
    ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_curves(curves: Sequence[tuple[str, list[dict[str, Any]]]], path: Path) -> None:
    """Each run's DPO loss and reward margin per logging step, one line per run."""
    panels: list[tuple[str, list[tuple[str, list[tuple[float, float]]]]]] = [("DPO loss", []), ("reward margin", [])]
    for label, history in curves:
        steps = [h for h in history if "loss" in h and "step" in h and h.get("phase") == "dpo"]
        for (_, lines), key in zip(panels, ("loss", "rewards/margins"), strict=True):
            lines.append((label, [(i, h[key]) for i, h in enumerate(steps) if key in h]))
    line_panels(panels, "logging step", path)


def line_panels(panels: Sequence[tuple[str, Sequence[tuple[str, Sequence[tuple[float, float]]]]]], xlabel: str,
                path: Path, marker: str | None = None) -> None:
    """One row of line plots: each panel a title and its labelled (x, y) lines (empty lines are skipped)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels) + 0.2, 3.5))
    for ax, (title, lines) in zip(axes, panels, strict=True):
        for label, points in lines:
            if points:
                ax.plot(*zip(*points, strict=True), marker=marker, label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def build_report(inputs: ReportInputs, out: Path, findings: list[str] | None = None) -> str:
    """Write the figures into `out` and return the report's Markdown; `findings` replaces the
    interval-based findings (an experiment states paired tests instead)."""
    plot_accuracy(inputs.evals, out / "accuracy.png")
    plot_reasons(inputs.evals, out / "reasons.png")
    stated = findings if findings is not None else interval_findings(inputs.evals)
    parts = ["# distill report", "", *stated, "", "## Accuracy per sub-task", "",
             "![accuracy per sub-task](accuracy.png)", "", *accuracy_table(inputs.evals), "",
             "## Rejection reasons", "", "How the verifier's reasons for wrong answers shift between models.", "",
             "![rejection reasons](reasons.png)", "", *reasons_table(inputs.evals), "", "## Pairs", "",
             *(pairs_section(inputs.pair_stats) if inputs.pair_stats else [inputs.no_pairs]), "", "## Training", ""]
    if inputs.curves:
        plot_curves(inputs.curves, out / "training.png")
        parts += ["![training curves](training.png)", ""]
    else:
        parts += [inputs.no_curves, ""]
    return "\n".join(parts)


def _acc(run: EvalRun, name: str) -> str:
    s = run.summary["subtasks"].get(name)
    return "–" if s is None else f"{s['accuracy']:.2f} [{s['ci95'][0]:.2f}, {s['ci95'][1]:.2f}]"


def accuracy_table(evals: Sequence[EvalRun]) -> list[str]:
    lines = ["| sub-task | " + " | ".join(r.label for r in evals) + " |", "|---" * (len(evals) + 1) + "|"]
    for name in subtasks_of(evals):
        lines.append(f"| {name} | " + " | ".join(_acc(r, name) for r in evals) + " |")
    lines.append("| **macro** | " + " | ".join(f"{r.summary['overall']['macro_accuracy']:.3f}"
                                                 if r.summary["overall"]["macro_accuracy"] is not None else "–"
                                                 for r in evals) + " |")
    bfcl = [r.summary.get("bfcl") for r in evals]
    if any(bfcl):
        categories = sorted({k for b in bfcl if b for k in b if k not in ("detail", "leaderboard", "non_live_summary")})
        for category in categories:
            lines.append(f"| BFCL {category} | " + " | ".join(f"{b[category]:.3f}" if b and category in b else "–"
                                                           for b in bfcl) + " |")
        columns = {"non_live": "Non-Live Overall Acc", "live": "Live Overall Acc"}
        for table in leaderboard_tables(categories):
            values = [((b or {}).get("leaderboard") or {}).get(table, {}).get(columns[table]) for b in bfcl]
            cells = " | ".join("–" if v is None else f"{v:.3f}" for v in values)
            lines.append(f"| BFCL {columns[table]} (leaderboard's formula) | {cells} |")
    return lines


def reasons_table(evals: Sequence[EvalRun]) -> list[str]:
    reasons = sorted({r for run in evals for r in run.summary["reasons"]}, key=lambda r: (r != "ok", r))
    lines = ["| reason | " + " | ".join(r.label for r in evals) + " |", "|---" * (len(evals) + 1) + "|"]
    for reason in reasons:
        lines.append(f"| {reason} | " + " | ".join(str(r.summary["reasons"].get(reason, 0)) for r in evals) + " |")
    return lines


def pairs_section(stats: dict[str, Any] | None) -> list[str]:
    if not stats:
        return ["No pairs run was given (`pairs_run=...`)."]
    teacher = stats.get("teacher", {})
    simulated = " — **simulated teacher** (an oracle with injected errors, not a real model)"
    label = simulated if teacher.get("simulated") else ""
    lines = [f"{stats['pairs']} pairs from {stats['tasks']} tasks; teacher `{teacher.get('backend')}:"
             f"{teacher.get('model')}`{label}; {stats['contamination_dropped']} prompts dropped for contamination.", "",
             "| sub-task | pairs |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in stats["pairs_by_subtask"].items()]
    lines += ["", "| source | pairs |", "|---|---|"] + [f"| {k} | {v} |" for k, v in stats["pairs_by_source"].items()]
    lines += ["", "| reason | pairs |", "|---|---|"] + [f"| {k} | {v} |" for k, v in stats["pairs_by_reason"].items()]
    return lines


def _lift_lines(base: EvalRun, other: EvalRun) -> list[str]:
    lines, better, worse = [], 0, 0
    for name in subtasks_of([base, other]):
        b, o = base.summary["subtasks"].get(name), other.summary["subtasks"].get(name)
        if not b or not o:
            continue
        separated = o["ci95"][0] > b["ci95"][1] or o["ci95"][1] < b["ci95"][0]
        better += o["accuracy"] > b["accuracy"] and separated
        worse += o["accuracy"] < b["accuracy"] and separated
        lines.append(f"  - {name}: {b['accuracy']:.2f} → {o['accuracy']:.2f} ({o['accuracy'] - b['accuracy']:+.2f})"
                     + (" — intervals do not overlap" if separated else " — within the intervals"))
    macro_base, macro_other = base.summary["overall"]["macro_accuracy"], other.summary["overall"]["macro_accuracy"]
    head = (f"- **{other.label}** vs **{base.label}**: macro accuracy {macro_base:.3f} → {macro_other:.3f}; "
            f"better on {better} sub-task(s) and worse on {worse} with non-overlapping 95% intervals.")
    return [head, *lines]


METHODS = ("SFT", "DPO", "SFT->DPO")


def arm_comparisons(runs: Sequence[EvalRun]) -> list[tuple[EvalRun, EvalRun]]:
    """(reference, other) pairs worth stating: granular vs umbrella under the same method, and the
    methods in the order SFT, DPO, SFT->DPO under the same mixture."""
    def parts(run: EvalRun) -> tuple[str, str]:
        mixture, _, method = run.arm.partition(" ")
        return mixture, method

    out = []
    for a in runs:
        for b in runs:
            (ma, ka), (mb, kb) = parts(a), parts(b)
            same_method = ka == kb and (ma, mb) == ("granular", "umbrella")
            ordered = ma == mb and ka in METHODS and kb in METHODS and METHODS.index(ka) < METHODS.index(kb)
            if same_method or ordered:
                out.append((a, b))
    return out


def interval_findings(evals: Sequence[EvalRun]) -> list[str]:
    """The answer to the seed's question, from the measured numbers only."""
    lines = ["## Findings", ""]
    base = next((r for r in evals if r.role == "base"), None)
    trained = [r for r in evals if r.role == "trained"]
    if base and trained:
        for run in trained:
            lines += _lift_lines(base, run)
    else:
        lines.append("- Give a base and a trained eval run (`eval_runs`) for the lift per sub-task.")
    teacher = next((r for r in evals if r.role == "teacher"), None)
    if teacher and trained:
        gap = teacher.summary["overall"]["macro_accuracy"] - trained[-1].summary["overall"]["macro_accuracy"]
        lines.append(f"- The teacher ({teacher.label}) is {gap:+.3f} macro accuracy above {trained[-1].label}.")
    for first, second in arm_comparisons([r for r in trained if r.arm]):
        lines += _lift_lines(first, second)
    memory = [r for r in evals if r.memory != "off"]
    for run in memory:
        plain = next((r for r in evals if r.memory == "off" and r.summary["model"] == run.summary["model"]), None)
        if plain:
            lines += _lift_lines(plain, run)
    if any("simulated" in r.label.lower() or r.summary.get("simulated") for r in evals):
        lines.append("- Numbers marked *simulated* come from the offline oracle teacher, not a real model.")
    return lines


def comparison_table(test: Comparison) -> list[str]:
    """One paired comparison: per sub-task / BFCL category, then the pooled rows."""
    lines = [f"| group | n | {test.a} | {test.b} | difference | only {test.a} right | only {test.b} right | "
             "McNemar p | Holm p |", "|---" * 9 + "|"]
    pooled = [p for p in (test.pooled, test.pooled_bfcl) if p is not None]
    for row in (*test.rows, *pooled):
        holm = "–" if row.p_holm is None else format_p(row.p_holm)
        bold = "**" if row.p_holm is None else ""
        lines.append(f"| {bold}{row.group}{bold} | {row.n} | {row.a:.3f} | {row.b:.3f} | {row.diff:+.3f} | "
                     f"{row.only_a} | {row.only_b} | {format_p(row.p_value)} | {holm} |")
    if test.macro_diff is not None and test.macro_ci95 is not None:
        lines.append(f"| **macro difference** (paired bootstrap 95% CI) | | | | {test.macro_diff:+.3f} "
                     f"[{test.macro_ci95[0]:+.3f}, {test.macro_ci95[1]:+.3f}] | | | | |")
    return lines


def seeds_table(rows: Sequence[tuple[str, int, float | None]]) -> list[str]:
    """(arm, seed, macro accuracy) rows -> one line per arm: each seed's macro, the mean and the spread."""
    by_arm: dict[str, list[tuple[int, float]]] = {}
    for arm, seed, macro in rows:
        if macro is not None:
            by_arm.setdefault(arm, []).append((seed, macro))
    lines = ["| arm | macro accuracy per seed | mean | spread (max - min) |", "|---|---|---|---|"]
    for arm, values in by_arm.items():
        mean, low, high = spread([v for _, v in values])
        per = ", ".join(f"s{s}: {v:.3f}" for s, v in values)
        lines.append(f"| {arm} | {per} | {mean:.3f} | {high - low:.3f} |")
    return lines


def to_html(markdown: str, title: str = "distill report") -> str:
    """A small, dependency-free Markdown -> HTML for the constructs `build_report` emits."""
    body: list[str] = []
    in_table = False
    in_list = False
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= set("-") for c in cells):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("- ") or line.startswith("  - "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{_inline(line.strip()[2:])}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        image = re.fullmatch(r"!\[(.*)\]\((.*)\)", line)
        if image:
            body.append(f'<img src="{html.escape(image.group(2))}" alt="{html.escape(image.group(1))}">')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    body.append("</table>" if in_table else "")
    body.append("</ul>" if in_list else "")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}"
             "td{border:1px solid #ccc;padding:3px 8px;font-size:13px}img{max-width:100%}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>")


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)
