"""Print the "distill's students" rows of results/README.md's anchors table from the archived summaries.

Reads every ``results/<experiment>/runs/<run>/summary.json`` (and the baselines' ``*.summary.json``) and
prints BFCL non-live by the leaderboard's formula, in the leaderboard's percent, with n per category.
A category that was not run is "–" (the leaderboard's Non-Live Overall then counts it as 0, as
distill's summary does). Run from the repository root: ``python results/anchors.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent
COLUMNS = [("Non-Live Overall Acc", ()),
           ("Simple AST", ("bfcl:simple_python", "bfcl:simple_java", "bfcl:simple_javascript")),
           ("Multiple AST", ("bfcl:multiple",)), ("Parallel AST", ("bfcl:parallel",)),
           ("Parallel Multiple AST", ("bfcl:parallel_multiple",)), ("Irrelevance Detection", ("bfcl:irrelevance",))]
"""Leaderboard column -> the categories it is computed from (their n is printed beside it)."""


def summaries() -> list[tuple[str, dict]]:
    """(row label, summary) for every archived evaluation with BFCL non-live figures."""
    found = [(f"{p.parents[2].name}: {p.parent.name.removeprefix(p.parents[2].name + '-')}", p) for p in
             sorted(RESULTS.glob("*/runs/*/summary.json"))]
    found += [(f"baselines: {p.name.removesuffix('.summary.json')}", p) for p in
              sorted((RESULTS / "baselines").glob("*.summary.json"))]
    rows = []
    for label, path in found:
        summary = json.loads(path.read_text())
        if (summary.get("bfcl") or {}).get("leaderboard"):
            rows.append((f"{label} ({_model(path, summary)})", summary))
    return rows


def _model(path: Path, summary: dict) -> str:
    """The model evaluated: the student an experiment's export came from, else the summary's name."""
    manifest = path.with_name("manifest.json")
    if manifest.exists() and "/export/" in summary.get("model", ""):
        return json.loads(manifest.read_text())["config"]["student"]["name"]
    return summary.get("model", "?").removeprefix("llamacpp:")


def row(label: str, summary: dict) -> str:
    board = summary["bfcl"]["leaderboard"]["non_live"]
    detail = summary["bfcl"].get("detail", {})
    cells = []
    for column, categories in COLUMNS:
        value, note = board.get(column), ""
        if value is None and column == "Simple AST":  # Java / JavaScript not run: Python's figure alone, named so
            value, note = board.get("Python Simple AST"), " (Python only)"
        ns = [str(detail[c]["n"]) for c in categories if c in detail]
        cells.append("–" if value is None else f"{100 * value:.1f}{note}" + (f" (n = {'/'.join(ns)})" if ns else ""))
    return f"| {label} | " + " | ".join(cells) + " |"


def main() -> int:
    for label, summary in summaries():
        print(row(label, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
