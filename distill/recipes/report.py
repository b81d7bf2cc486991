"""`make report`: compare eval runs (and the pairs and dpo runs they came from) ->
outputs/report/<run_name>/{report.md,report.html,*.png}."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from distill import io
from distill.recipes import CONF_DIR, launch, recipe_run
from distill.report import EvalRun, ReportInputs, build_report, to_html
from distill.reverify import judged_elsewhere

log = logging.getLogger("distill")


def run(cfg: DictConfig) -> Path:
    """Write the report; returns the path of report.md."""
    inputs = ReportInputs(evals=[describe(Path(p)) for p in cfg.eval_runs])
    if cfg.pairs_run:
        stats = Path(cfg.pairs_run) / "stats.json"
        if not stats.exists():
            raise FileNotFoundError(f"pairs_run={cfg.pairs_run} holds no stats.json: run `make pairs` first, or "
                                    "pass pairs_run=null for a report without the pairs section")
        io.read_manifest(cfg.pairs_run)  # a finished run only
        inputs.pair_stats = io.read_json(stats)
    for path in cfg.dpo_runs or ():
        inputs.curves.append((Path(path).name, list(_metrics(Path(path)))))
    with recipe_run(cfg) as ctx:
        markdown = build_report(inputs, ctx.dir)
        with io.atomic_open(ctx.dir / "report.md") as handle:
            handle.write(markdown)
        with io.atomic_open(ctx.dir / "report.html") as handle:
            handle.write(to_html(markdown))
        ctx.counts.update(eval_runs=len(inputs.evals), dpo_runs=len(inputs.curves))
    print(f"report -> {ctx.dir / 'report.md'} (and report.html)")
    return ctx.dir / "report.md"


def describe(run_dir: Path) -> EvalRun:
    """An eval run as the report sees it, from the facts `make eval` wrote into its manifest: role
    (teacher / base / trained), arm and memory kind. A run without them (made before `make eval`
    recorded them) takes part in no comparison: role ``other``, with a warning; a run judged by
    another verifier than this code's is named too."""
    summary = io.read_json(run_dir / "summary.json")
    manifest = io.read_manifest(run_dir)
    label = f"{run_dir.name}: {summary['model']}" + (" (simulated)" if summary.get("simulated") else "")
    if "role" not in manifest:
        log.warning("%s: its manifest records no role (an older make eval); rerun it to compare it", run_dir)
    if judged_elsewhere(manifest):
        log.warning("%s: its verdicts come from another verifier than this code's; `distill reverify %s "
                    "--write` re-judges its answers", run_dir, run_dir)
    return EvalRun(label, summary, manifest.get("role", "other"), manifest.get("arm", ""),
                   manifest.get("memory", "off"))


def _metrics(dpo_dir: Path) -> Any:
    import json

    if not (dpo_dir / "metrics.jsonl").exists():
        raise FileNotFoundError(f"dpo_runs: {dpo_dir} holds no metrics.jsonl: run `make dpo` first, or pass "
                                "dpo_runs=[] for a report without training curves")
    with open(dpo_dir / "metrics.jsonl", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


@hydra.main(config_path=CONF_DIR, config_name="report", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
