"""`make experiment`: every arm of an experiment, every seed, through tasks -> pairs -> dpo -> [export ->]
eval, then one report with paired tests (rewritten after every run; arms run seed by seed).

Each stage is the ordinary recipe composed from its own config with the arm's overrides, so an arm is
exactly what `make tasks/pairs/dpo/eval ARGS=...` would have produced; runs land in
``outputs/<stage>/<experiment>-<arm>[-s<seed>]/``. Every arm is evaluated on the same tasks run (the
experiment's ``tasks`` overrides), whatever it trained on or with which seed. A trained arm runs once per
seed (pair sampling and training); an eval-only arm (``train: false``: the base model, a frozen model
with or without memory) once.

Resuming: a stage whose run folder holds a finished run of the same composed config is not rerun (unless
a stage before it in the same arm was), and each finished eval is archived with the configs of every
stage that led to it (``archive/runs/<run>/chain.json``); an arm whose archived chain matches is not
redone at all, so a killed or later session continues where the last finished arm left off.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from distill import io
from distill.experiment import ArmRun, ArmSpec, ExperimentSpec, write_report
from distill.memory import ROUTINES_FILE
from distill.recipes import CONF_DIR, compose_config, launch, recipe_run
from distill.secrets import REDACTED

log = logging.getLogger("distill")
ARCHIVED = ("manifest.json", "summary.json", "results.jsonl")
ARCHIVED_IF_THERE = (ROUTINES_FILE,)
"""The routines a memory arm's eval showed, the evidence for what its prompts held."""
STAGE_SECONDS = "stage_seconds.json"
"""Beside an archived run: the wall time of each stage in the invocation that finished it."""
RETIRED_KEYS = frozenset({"memory_dir"})
"""Config keys a recipe no longer has that never changed what a run computed (``memory_dir`` said where
eval also wrote its routines); an archived run that still holds one is the same run without it."""
CHECKPOINT_KEYS = frozenset({"save_strategy", "save_steps", "save_total_limit"})
"""Trainer settings that say how often a run is checkpointed, not what it computes: a run checkpointed at
another cadence (the SFT warm start was not checkpointed until 2026-12-06) is the same run."""
_IGNORED_KEYS = RETIRED_KEYS | CHECKPOINT_KEYS
Stage = tuple[str, Path, list[str]]
"""(recipe, its run folder, its overrides)."""


def run(cfg: DictConfig) -> Path:
    """Run (or resume) the experiment; returns the path of its report."""
    spec = ExperimentSpec.from_config(OmegaConf.to_container(cfg.experiment, resolve=True))
    root = _relative(Path(cfg.output_dir).parent.parent)  # outputs/
    archive = Path(cfg.archive_dir) if cfg.archive_dir else None
    runner = _Runner(root, spec.name, archive, {k: list(v) for k, v in spec.common.items()})
    if cfg.report_only and archive is None:
        raise ValueError("report_only=true rewrites the report from the archive: give archive_dir")
    with recipe_run(cfg) as ctx:
        eval_tasks = runner.tasks(list(spec.tasks), spec.name)
        runs: list[ArmRun] = []
        # Seed by seed, so a half-done experiment already compares every arm at its first seed.
        for arm, seed in [(a, s) for s in spec.seeds for a in spec.arms if a.train or s == spec.seeds[0]]:
            seed = seed if arm.train else None
            done = runner.archived(arm, seed, eval_tasks) if cfg.report_only else runner.arm(arm, seed, eval_tasks)
            if done is None:  # report_only: not archived with the configs composed now
                continue
            runs.append(done)
            ctx.extra["arms_done"] = [r.label for r in runs]
            # A report after every run: an experiment longer than a session reads well half done.
            report = write_report(spec, runs, ctx.dir, archive, _command(cfg))
        if cfg.report_only and not runs:
            raise ValueError(f"report_only=true: no arm of {spec.name} is archived in {archive} with "
                             "the configs the current code composes")
        ctx.counts.update(arms=len(spec.arms), evaluated=len(runs))
        ctx.extra["stage_seconds"] = {r.label: r.seconds for r in runs}
    print(f"report -> {report}")
    return report


def _relative(path: Path) -> Path:
    """`path` relative to the working directory when it is under it: the archived configs then name
    ``outputs/...``, the same on any clone, and a later session's configs match them."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _command(cfg: DictConfig) -> str:
    """How this experiment was started: the command line's overrides when Hydra launched it."""
    from hydra.core.hydra_config import HydraConfig

    overrides = list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else [
        f"experiment={cfg.experiment.name}"]
    # The command that makes (or resumes) the experiment, also in a report rewritten with report_only.
    return "distill experiment " + " ".join(o for o in overrides if not o.startswith("report_only="))


class _Runner:
    """Runs stages, skipping the ones already finished with the same config."""

    def __init__(self, root: Path, name: str, archive: Path | None, common: dict[str, list[str]]):
        self.root, self.name, self.archive, self.common = root, name, archive, common
        self._tasks: dict[tuple[str, ...], Path] = {}
        self._tasks_commands: dict[Path, str] = {}
        """tasks run -> the command that makes it, the first of every arm's commands that reads it."""
        self._pairs: dict[tuple[str, int | None], tuple[Path, Any, dict[str, str]]] = {}
        """(arm, seed) -> (its pairs run, that run's config, the commands that make it): the memory source
        of later arms."""

    def tasks(self, overrides: list[str], run_name: str) -> Path:
        """The tasks run for these overrides (shared by every arm that asks for the same)."""
        key = tuple(overrides)
        if key not in self._tasks:
            out = self.root / "tasks" / run_name
            self.stage("tasks", out, overrides)
            self._tasks[key] = out
            self._tasks_commands[out] = _stage_command("tasks", out, overrides)
        return self._tasks[key]

    def arm(self, arm: ArmSpec, seed: int | None, eval_tasks: Path) -> ArmRun:
        """Run one arm at one seed, or take it from the archive when the same configs made it."""
        result, stages, chain = self.plan(arm, seed, eval_tasks)
        name = result.eval_dir.name
        if self._archived(name, chain):
            log.info("%s: archived with the same configs, not redone", name)
            return self._from_archive(result)
        rerun = False  # a stage that ran makes every later stage of the arm run again
        for recipe, out, overrides in stages:
            rerun = self.stage(recipe, out, overrides, result.seconds, force=rerun)
        if self.archive is not None:
            result.eval_dir = self._archive(name, result, chain)
        return result

    def archived(self, arm: ArmSpec, seed: int | None, eval_tasks: Path) -> ArmRun | None:
        """The arm's archived run when the same configs made it, else None; runs no stage but the
        (seconds-long) task generation an arm's configs are composed from."""
        result, _, chain = self.plan(arm, seed, eval_tasks)
        if self._archived(result.eval_dir.name, chain):
            return self._from_archive(result)
        name = result.eval_dir.name
        stale = (self.archive / "runs" / name).is_dir()  # type: ignore[operator]
        log.info("%s: %s, left out of the report", name,
                 "archived from other configs than the ones composed now" if stale else "not archived yet")
        return None

    def _from_archive(self, result: ArmRun) -> ArmRun:
        folder = self.archive / "runs" / result.eval_dir.name  # type: ignore[operator]
        result.eval_dir = folder
        if (folder / STAGE_SECONDS).exists():
            result.seconds = io.read_json(folder / STAGE_SECONDS)
        return result

    def plan(self, arm: ArmSpec, seed: int | None, eval_tasks: Path) -> tuple[ArmRun, list[Stage], dict[str, Any]]:
        """(the arm's run, its stages in order, the composed config of every stage: the archive's key).

        A stage's overrides are the experiment's ``common`` ones, then the arm's own, which win."""
        name = f"{self.name}-{arm.name}" + ("" if seed is None else f"-s{seed}")
        result = ArmRun(arm.name, seed, self.root / "eval" / name, arm.train)
        seeded = [] if seed is None else [f"seed={seed}"]
        chain: dict[str, Any] = {"tasks_eval": io.read_manifest(eval_tasks)["config"]}
        memory, memory_commands = self._memory_from(arm, seed, chain)
        stages: list[Stage] = []
        train_tasks = None
        if arm.train or arm.pairs:
            train_tasks = self.tasks(list(arm.tasks), f"{self.name}-{arm.name}") if arm.tasks else eval_tasks
            result.pairs_dir = self.root / "pairs" / name
            pairs = [f"tasks_run={train_tasks}", *seeded, *self.common.get("pairs", []), *arm.pairs,
                     *(memory if arm.train else [])]
            chain["tasks_train"] = io.read_manifest(train_tasks)["config"]
            chain["pairs"] = _plain(compose_config("pairs", [f"output_dir={result.pairs_dir}", *pairs]))
            stages.append(("pairs", result.pairs_dir, pairs))
            self._pairs[(arm.name, seed)] = (result.pairs_dir, chain["pairs"], {
                "tasks_train": self._tasks_commands[train_tasks], "pairs": _stage_command(*stages[-1])})
            if not arm.train:  # an eval-only arm's pairs are its memory: their verified teacher answers
                memory = [f"memory.pairs_run={result.pairs_dir}"]
        own_memory = [] if arm.train else memory
        evaluation = [f"tasks_run={eval_tasks}", *own_memory, *self.common.get("eval", []), *arm.eval]
        if arm.train:
            result.dpo_dir = self.root / "dpo" / name
            dpo = [f"pairs_run={result.pairs_dir}", *seeded, *self.common.get("dpo", []), *arm.dpo]
            chain["dpo"] = _plain(compose_config("dpo", [f"output_dir={result.dpo_dir}", *dpo]))
            stages.append(("dpo", result.dpo_dir, dpo))
            evaluation.insert(1, f"checkpoint={result.dpo_dir / 'model'}")
        if self.common.get("export") and _evaluates_student(evaluation):
            evaluation = self._plan_export(result, evaluation, chain, stages)
        chain["eval"] = _plain(compose_config("eval", [f"output_dir={result.eval_dir}", *evaluation]))
        stages.append(("eval", result.eval_dir, evaluation))
        _check(arm, chain, bool(memory))
        # Every command the arm needs on a fresh clone: its tasks runs first (the eval's, and its own
        # training tasks when it has them), the memory source's pairs run, then its stages.
        reads = {"tasks_eval": eval_tasks, "tasks_train": train_tasks if train_tasks != eval_tasks else None}
        result.commands = {key: self._tasks_commands[path] for key, path in reads.items() if path is not None}
        result.commands |= {f"memory_{k}": c for k, c in memory_commands.items() if c not in result.commands.values()}
        result.commands |= {recipe: _stage_command(recipe, out, overrides) for recipe, out, overrides in stages}
        chain["commands"] = result.commands
        return result, stages, chain

    def _memory_from(self, arm: ArmSpec, seed: int | None,
                     chain: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        """The ``memory.pairs_run`` override naming an earlier arm's pairs run (``memory_from``), and the
        commands that make that run."""
        if not arm.memory_from:
            return [], {}
        source = self._pairs.get((arm.memory_from, seed)) or self._pairs.get((arm.memory_from, None))
        if source is None:
            raise ValueError(f"experiment.arms.{arm.name}.memory_from: {arm.memory_from!r} must be an arm "
                             "before it that makes pairs")
        run, config, commands = source
        chain["memory_pairs"] = config
        return [f"memory.pairs_run={run}"], commands

    def _plan_export(self, result: ArmRun, evaluation: list[str], chain: dict[str, Any],
                     stages: list[Stage]) -> list[str]:
        """Add the export stage; returns the eval overrides that answer on llama.cpp from its GGUF (faster on
        a CPU than transformers, and resumable through the response cache)."""
        result.export_dir = self.root / "export" / result.eval_dir.name
        checkpoint = f"checkpoint={result.dpo_dir / 'model'}" if result.dpo_dir else "checkpoint=null"
        export = [checkpoint, *self.common["export"]]
        chain["export"] = _plain(compose_config("export", [f"output_dir={result.export_dir}", *export]))
        stages.append(("export", result.export_dir, export))
        evaluation = [o for o in evaluation if not o.startswith("checkpoint=")]
        evaluation[1:1] = ["target=teacher", "teacher=llamacpp", f"teacher.model={result.export_dir / 'model.gguf'}"]
        return evaluation

    def stage(self, recipe: str, out: Path, overrides: list[str], seconds: dict[str, float] | None = None,
              force: bool = False) -> bool:
        """Run one recipe into `out` unless it already holds a finished run of the same config;
        returns whether it ran."""
        import importlib

        cfg = compose_config(recipe, [f"output_dir={out}", *overrides])
        if not force and _finished_same(out, cfg):
            log.info("%s: finished with the same config, not rerun", out)
            return False
        log.info("experiment %s: %s -> %s", self.name, recipe, out)
        started = time.monotonic()
        importlib.import_module(f"distill.recipes.{recipe}").run(cfg)
        if seconds is not None:
            seconds[recipe] = round(time.monotonic() - started, 1)
        return True

    def _archived(self, name: str, chain: dict[str, Any]) -> bool:
        if self.archive is None:
            return False
        folder = self.archive / "runs" / name
        try:
            complete = all((folder / file).exists() for file in ARCHIVED)
            return complete and same_config(_configs(io.read_json(folder / "chain.json")), _configs(_normal(chain)))
        except (FileNotFoundError, ValueError):
            return False

    def _archive(self, name: str, result: ArmRun, chain: dict[str, Any]) -> Path:
        """Copy a finished eval (manifest, summary, answers) and the chain that made it to the archive."""
        folder = self.archive / "runs" / name  # type: ignore[operator]
        folder.mkdir(parents=True, exist_ok=True)
        eval_dir = result.eval_dir
        for file in ARCHIVED:
            shutil.copyfile(eval_dir / file, folder / file)
        for file in ARCHIVED_IF_THERE:
            if (eval_dir / file).exists():
                shutil.copyfile(eval_dir / file, folder / file)
        for source, file in ((result.pairs_dir, "stats.json"), (result.dpo_dir, "metrics.jsonl")):
            if source is not None and (source / file).exists():  # for the report's pairs and training sections
                shutil.copyfile(source / file, folder / f"{source.parent.name}_{file}")
        io.write_json(folder / "chain.json", _normal(chain))
        io.write_json(folder / STAGE_SECONDS, result.seconds)
        return folder


def _check(arm: ArmSpec, chain: dict[str, Any], has_memory: bool) -> None:
    """Raises ValueError for an arm whose stages disagree: an export of another student than the one
    trained or evaluated, or a memory source with memory left off."""
    trained_as = chain.get("dpo", chain["eval"])["student"]
    model = ("name", "model")  # the weights exported; how the answers were written (call_format) is training's
    if "export" in chain and [chain["export"]["student"][k] for k in model] != [trained_as[k] for k in model]:
        raise ValueError(f"experiment.common.export: it exports student {chain['export']['student']['name']!r} "
                         f"but arm {arm.name} uses {trained_as['name']!r}: give export the same student= "
                         "override as dpo and eval")
    uses = chain["pairs"]["memory"] if arm.train else chain["eval"]["memory"]
    if has_memory and uses["kind"] == "off":
        raise ValueError(f"experiment.arms.{arm.name}: it names a memory source (memory_from, or pairs on an "
                         "eval-only arm) but leaves memory off: add memory=awm to its "
                         f"{'pairs' if arm.train else 'eval'} overrides")


def _configs(chain: dict[str, Any]) -> dict[str, Any]:
    """A chain's composed configs without the commands that spelled them: overrides written in another
    order, or an arm's override moved into ``common``, compose the same run and are not redone."""
    return {k: v for k, v in chain.items() if k != "commands"}


def _stage_command(recipe: str, out: Path, overrides: list[str]) -> str:
    """The command that reruns one stage of an arm alone."""
    import shlex

    return " ".join(["distill", recipe, f"output_dir={out}", *map(shlex.quote, overrides)])


def _evaluates_student(overrides: list[str]) -> bool:
    return not any(o.replace(" ", "") == "target=teacher" for o in overrides)


def _plain(cfg: DictConfig) -> Any:
    return OmegaConf.to_container(cfg, resolve=True)


def _normal(data: Any) -> Any:
    """As the data reads back from a JSON file with secrets redacted (how manifests store configs)."""
    return json.loads(json.dumps(io.redact(data), sort_keys=True))


def _finished_same(out: Path, cfg: DictConfig) -> bool:
    try:
        manifest = io.read_manifest(out)
    except (FileNotFoundError, io.RunNotFinished, ValueError):
        return False
    return same_config(_normal(manifest.get("config")), _normal(_plain(cfg)))


def same_config(done: Any, now: Any) -> bool:
    """Whether a finished run's config (or an archived chain of them) is the config asked for now,
    reading a key the recipe gained since the run (at any depth: ``tools``, ``written.fallbacks``) as
    that key's default, so a new option does not retrain finished arms, and ignoring `RETIRED_KEYS` and
    `CHECKPOINT_KEYS`."""
    return _same(upgraded_config(done), upgraded_config(now))


def _same(done: Any, now: Any) -> bool:
    """Equal, except that a string the archive holds redacted matches any string now: archives written
    before `distill.secrets.SECRET_KEY` hold ``max_pair_tokens: auto`` redacted (the key-name net then
    took any key containing "token")."""
    if isinstance(done, dict) and isinstance(now, dict):
        return done.keys() == now.keys() and all(_same(done[k], now[k]) for k in done)
    if isinstance(done, list) and isinstance(now, list):
        return len(done) == len(now) and all(map(_same, done, now))
    return done == now or (done == REDACTED and isinstance(now, str))


def upgraded_config(data: Any) -> Any:
    """A finished run's config as the current code composes it: every key its recipe gained since the
    run filled with the key's default, `RETIRED_KEYS` and `CHECKPOINT_KEYS` dropped (what `same_config`
    compares)."""
    if isinstance(data, list):
        return [upgraded_config(v) for v in data]
    if not isinstance(data, dict):
        return data
    if isinstance(data.get("recipe"), str):
        data = _filled(data, _recipe_defaults(data["recipe"]))
    return {k: upgraded_config(v) for k, v in data.items() if k not in _IGNORED_KEYS}


def _filled(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`data` with every key of `defaults` it lacks, at every depth where both are mappings."""
    out = {**{k: v for k, v in defaults.items() if k not in data}, **data}
    return {k: _filled(v, defaults[k]) if isinstance(v, dict) and isinstance(defaults.get(k), dict) else v
            for k, v in out.items()}


@functools.cache
def _recipe_defaults(recipe: str) -> dict[str, Any]:
    return _normal(_plain(compose_config(recipe)))


@hydra.main(config_path=CONF_DIR, config_name="experiment", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
