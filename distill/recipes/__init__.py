"""Recipes: one per Make target (`make tasks` <-> `distill/recipes/tasks.py` <-> `conf/tasks.yaml`).

Each recipe module exposes `run(cfg)`, which does the work from a composed config, and a thin
`@hydra.main` entry point. Configuration stops here: `run` builds objects with `build` and calls
library code with plain typed arguments.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from distill import io

CONF_DIR = str(Path(__file__).resolve().parents[2] / "conf")
RECIPES: dict[str, str] = {
    "tasks": "generate the granular task suite",
    "pairs": "teacher samples -> verdicts -> DPO pairs",
    "dpo": "train the student with TRL DPO",
    "eval": "per-sub-task accuracy of a model",
    "report": "compare eval runs",
    "experiment": "arms of an experiment through pairs -> dpo -> eval, one report (experiment=granular_vs_umbrella)",
    "export": "a trained student -> one GGUF file for llama.cpp / Ollama (checkpoint=outputs/dpo/x/model)",
}
"""Recipe -> what it does: `distill/recipes/<name>.py` with `conf/<name>.yaml`, the ``distill <name>``
command (its help lists this) and the Make target of the same name (a test checks the Makefile)."""

log = logging.getLogger("distill")


def build(node: DictConfig) -> Any:
    """Instantiate a config node (`_target_`) into plain Python objects (no DictConfig leaks past here)."""
    from hydra.utils import instantiate

    return instantiate(node, _convert_="all")


def load_tasks(cfg: DictConfig, progress: bool = False) -> tuple[list[Any], dict[str, Any]]:
    """The tasks a recipe works on and where they came from (for its manifest): always a tasks run.

    ``tasks_run`` names one (a `make tasks` folder, or any run that wrote tasks.jsonl); it wins over
    ``tasks`` and ``seed``, so every stage of an experiment sees the same tasks whatever seed it trains
    with. Without one, the ``tasks`` config is generated with ``seed`` into ``<tasks_root>/auto-<hash>``
    (reused while config and code are the same), so the tasks are an artifact either way. The tasks'
    tools must be those of the recipe's ``tools=`` source, which executes them.

    Raises:
        FileNotFoundError / io.RunNotFinished: when ``tasks_run`` holds no finished run with tasks.
        ValueError: when the tasks list tools the ``tools=`` source lacks, or the source has no
            templates and no ``tasks_run`` was given.
    """
    from distill.toolsets import check_tools

    toolset = build(cfg.tools)
    path = Path(cfg.tasks_run) if cfg.tasks_run else _auto_tasks_run(cfg, toolset, progress)
    tasks = io.read_tasks(path)
    made = io.read_manifest(path)
    check_tools(tasks, toolset, f"tasks_run={path}")
    config = made["config"]
    return tasks, {"tasks_run": str(path), "tasks": (config.get("tasks") or {}).get("name"),
                   "tasks_seed": config.get("seed"), "tools": (made.get("tools") or {"name": "library"})["name"]}


def _auto_tasks_run(cfg: DictConfig, toolset: Any, progress: bool) -> Path:
    """The tasks run of (``tasks``, ``tools``, ``seed``) under ``tasks_root``, made unless it is there
    from the same commit."""
    if not toolset.templated:
        raise ValueError(f"tools={toolset.name}: these tools have no templates, so their tasks are written by a "
                         f"model first: run `distill tasks tools={toolset.name} ...` and pass tasks_run=<its folder>")
    spec = OmegaConf.to_container(OmegaConf.create({"tasks": cfg.tasks, "tools": cfg.tools, "seed": cfg.seed}),
                                  resolve=True)
    name = "auto-" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    path = Path(cfg.tasks_root) / name
    try:
        if io.read_manifest(path).get("git_sha") == io.git_sha():
            return path
    except (FileNotFoundError, io.RunNotFinished, ValueError):
        pass
    from distill.recipes import tasks as tasks_recipe

    sub = compose_config("tasks", [f"output_dir={path}", f"run_name={name}", f"seed={cfg.seed}"])
    sub.tasks, sub.tools = cfg.tasks, cfg.tools
    log.info("no tasks_run given: making the tasks run %s (tasks=%s, seed %s)", path, cfg.tasks.name, cfg.seed)
    tasks_recipe.run(sub)
    return path


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
