"""`make experiment`: every arm of an experiment through pairs -> dpo -> eval, then one report.

Each stage is the ordinary recipe composed from its own config with the arm's overrides, so an arm
is exactly what `make pairs/dpo/eval ARGS=...` would have produced; the runs land in
``outputs/<stage>/<experiment>-<arm>/``. Arms sharing the same pairs overrides share one pairs run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from distill.recipes import CONF_DIR, compose_config, launch


def run(cfg: DictConfig) -> Path:
    """Run the experiment; returns the report's path."""
    from distill.recipes import dpo, pairs, report
    from distill.recipes import eval as evaluate

    exp = cfg.experiment
    root = Path(cfg.output_dir).parent.parent  # outputs/
    common = {stage: list(exp.common.get(stage, [])) for stage in ("pairs", "dpo", "eval")}
    eval_runs = [_eval(evaluate, root, f"{exp.name}-base", [], common["eval"])]
    dpo_runs: list[str] = []
    pairs_done: dict[tuple[str, ...], Path] = {}
    for arm, stages in exp.arms.items():
        name = f"{exp.name}-{arm}"
        pairs_overrides = tuple(stages.get("pairs", [])) + tuple(common["pairs"])
        if pairs_overrides not in pairs_done:
            pairs_dir = root / "pairs" / name
            pairs.run(compose_config("pairs", [f"output_dir={pairs_dir}", *pairs_overrides]))
            pairs_done[pairs_overrides] = pairs_dir
        dpo_dir = root / "dpo" / name
        dpo.run(compose_config("dpo", [f"output_dir={dpo_dir}", f"pairs_run={pairs_done[pairs_overrides]}",
                                 *stages.get("dpo", []), *common["dpo"]]))
        dpo_runs.append(str(dpo_dir))
        eval_runs.append(_eval(evaluate, root, name, [f"checkpoint={dpo_dir / 'model'}"], common["eval"]))
    first_pairs = next(iter(pairs_done.values()))
    return report.run(compose_config("report", [f"output_dir={cfg.output_dir}", f"eval_runs=[{','.join(eval_runs)}]",
                                          f"pairs_run={first_pairs}", f"dpo_runs=[{','.join(dpo_runs)}]"]))


def _eval(module: Any, root: Path, name: str, overrides: list[str], common: list[str]) -> str:
    out = root / "eval" / name
    module.run(compose_config("eval", [f"output_dir={out}", *overrides, *common]))
    return str(out)


@hydra.main(config_path=CONF_DIR, config_name="experiment", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
