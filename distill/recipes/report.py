"""`make report`: compare eval runs (and the pairs and dpo runs they came from) ->
outputs/report/<run_name>/{report.md,report.html,*.png}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from distill import io
from distill.recipes import CONF_DIR, launch, recipe_run
from distill.report import EvalRun, ReportInputs, build_report, to_html


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
    """An eval run with its role (base / trained / teacher) and arm, read from its manifests."""
    summary = io.read_json(run_dir / "summary.json")
    config = io.read_manifest(run_dir)["config"]
    memory = (config.get("memory") or {}).get("kind", "off") if isinstance(config.get("memory"), dict) else "off"
    label = f"{run_dir.name}: {summary['model']}" + (" (simulated)" if summary.get("simulated") else "")
    if config.get("target") == "teacher":
        return EvalRun(label, summary, "teacher", memory=memory)
    if not config.get("checkpoint"):
        return EvalRun(label, summary, "base", memory=memory)
    return EvalRun(label, summary, "trained", _arm(Path(config["checkpoint"]).parent), memory)


def _arm(dpo_dir: Path) -> str:
    """``<mixture> <method>`` of the dpo run that made a checkpoint, e.g. ``granular SFT->DPO``."""
    try:
        dpo = io.read_manifest(dpo_dir)["config"]
        mixture = io.read_manifest(Path(dpo["pairs_run"]))["config"]["tasks"]["name"]
    except (FileNotFoundError, KeyError, io.RunNotFinished):
        return ""
    method = "SFT" if dpo.get("sft_only") else "SFT->DPO" if dpo.get("sft_warmup") else "DPO"
    return f"{mixture} {method}"


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
