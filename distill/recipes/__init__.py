"""Recipes: one per Make target (`make tasks` <-> `distill/recipes/tasks.py` <-> `conf/tasks.yaml`).

Each recipe module exposes `run(cfg)`, which does the work from a composed config, and a thin
`@hydra.main` entry point. Configuration stops here: `run` builds objects with `build` and calls
library code with plain typed arguments.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from distill import io

CONF_DIR = str(Path(__file__).resolve().parents[2] / "conf")
RECIPES: tuple[str, ...] = ("tasks", "pairs", "dpo", "eval", "report", "experiment", "export")

log = logging.getLogger("distill")


def build(node: DictConfig) -> Any:
    """Instantiate a config node (`_target_`) into plain Python objects (no DictConfig leaks past here)."""
    from hydra.utils import instantiate

    return instantiate(node, _convert_="all")


def load_tasks(cfg: DictConfig, progress: bool = False) -> tuple[list[Any], dict[str, Any]]:
    """The tasks a recipe works on and where they came from (for its manifest): the tasks run named by
    ``tasks_run`` (a `make tasks` folder, or any run that wrote tasks.jsonl), else the ``tasks`` config
    generated with ``seed``. A tasks run wins over ``tasks`` and ``seed``: every stage of an experiment
    sees the same tasks, whatever seed it trains with.

    Raises:
        FileNotFoundError / io.RunNotFinished: when ``tasks_run`` holds no finished run with tasks.
    """
    if cfg.tasks_run:
        tasks = io.read_tasks(cfg.tasks_run)
        made = io.read_manifest(cfg.tasks_run)["config"]
        source = (made.get("tasks") or {}).get("name")
        return tasks, {"tasks_run": str(cfg.tasks_run), "tasks": source, "tasks_seed": made.get("seed")}
    tasks = list(build(cfg.tasks).generate(cfg.seed, progress=progress))
    return tasks, {"tasks_run": None, "tasks": cfg.tasks.name, "tasks_seed": cfg.seed}


def require_split(tasks: Sequence[Any], split: str, origin: dict[str, Any]) -> None:
    """Raises ValueError naming the task source when it has no task in `split`."""
    if not any(t.split == split for t in tasks):
        where = origin["tasks_run"] or f"tasks={origin['tasks']} (seed {origin['tasks_seed']})"
        raise ValueError(f"{where} has no task in the {split!r} split")


def compose_config(recipe: str, overrides: Sequence[str] = ()) -> DictConfig:
    """A recipe's config as `make <recipe> ARGS="..."` would compose it, for callers outside Hydra's
    command line (the experiment recipe, benchmarks, tests)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():  # inside a recipe Hydra launched (`distill experiment`)
        return compose(config_name=recipe, overrides=list(overrides))
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose(config_name=recipe, overrides=list(overrides))


def with_hydra_run_dir(cfg: DictConfig) -> DictConfig:
    """Point `output_dir` at the folder Hydra chose (a multirun job gets its own subfolder)."""
    from hydra.core.hydra_config import HydraConfig

    cfg.output_dir = HydraConfig.get().runtime.output_dir
    return cfg


def launch(run: Callable[[DictConfig], Any], cfg: DictConfig) -> Any:
    """What each recipe's ``@hydra.main`` does: run in the folder Hydra chose, with secrets filtered
    out of the logs; a run that fails before it wrote anything leaves no folder behind."""
    from distill.secrets import install_log_filter

    install_log_filter()
    cfg = with_hydra_run_dir(cfg)
    try:
        return run(cfg)
    except BaseException:
        remove_if_empty(Path(cfg.output_dir))
        raise


def remove_if_empty(run_dir: Path) -> None:
    """Delete a run folder holding nothing but Hydra's own files (``.hydra/``, the log): a run that
    failed on its config or a missing key before it started."""
    if not run_dir.is_dir() or (run_dir / io.MANIFEST).exists():
        return
    if all(p.name == ".hydra" or p.suffix == ".log" for p in run_dir.iterdir()):
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)


@dataclass
class RunContext:
    """What a recipe fills in while it runs; it ends up in the manifest."""

    recipe: str
    dir: Path
    counts: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def recipe_run(cfg: DictConfig) -> Iterator[RunContext]:
    """Create the run folder and keep its manifest current: ``running`` -> ``done`` or ``failed``."""
    ctx = RunContext(recipe=cfg.recipe, dir=Path(cfg.output_dir))
    ctx.dir.mkdir(parents=True, exist_ok=True)
    config = OmegaConf.to_container(cfg, resolve=True)
    started, t0 = io.now_iso(), time.monotonic()
    commit = io.git_sha()  # the code that runs is the code at the start, whatever is committed meanwhile

    def manifest(status: str) -> None:
        io.write_manifest(ctx.dir, {
            "git_sha": commit, "recipe": ctx.recipe, "run_name": cfg.run_name, "status": status, "config": config,
            "started_at": started, "finished_at": io.now_iso() if status != "running" else None,
            "duration_s": round(time.monotonic() - t0, 3), "counts": ctx.counts, **ctx.extra,
        })

    manifest("running")
    try:
        yield ctx
    except BaseException:
        manifest("failed")
        raise
    manifest("done")
    log.info("%s run written to %s", ctx.recipe, ctx.dir)
