"""`make experiment`: arms x seeds through tasks -> pairs -> dpo -> eval on the same test tasks, one report
with paired tests, and a resume that redoes nothing finished."""

import copy
import shlex

import pytest
from omegaconf import OmegaConf, open_dict

from distill import io
from distill.experiment import ArmSpec, ExperimentSpec
from distill.recipes import compose_config
from distill.recipes import dpo as dpo_recipe
from distill.recipes import eval as eval_recipe
from distill.recipes.eval import run as evaluate
from distill.recipes.experiment import _normal, _Runner, run, same_config

TINY = {
    "pairs": ["pairs.pairs_per_task=1", "max_tasks=18"],
    "dpo": ["student=tiny-random", "max_pairs=4", "sft_examples=4", "max_pair_tokens=null", "eval.per_subtask=0",
            "dpo.args.per_device_train_batch_size=4"],
    "eval": ["student=tiny-random", "limit_per_subtask=2", "sampling.max_tokens=4"],
}


def _config(tmp_path, name="granular_vs_umbrella", seeds=(0, 1)):
    cfg = compose_config("experiment", [f"experiment={name}", f"output_dir={tmp_path}/out/experiment/{name}",
                                        f"archive_dir={tmp_path}/results/{name}"])
    with open_dict(cfg):
        cfg.experiment.seeds = list(seeds)
        cfg.experiment.tasks = ["tasks.total=180"]
        for arm in cfg.experiment.arms.values():
            if arm.get("tasks"):
                arm.tasks = [o for o in arm.tasks if not o.startswith("tasks.total")] + ["tasks.total=180"]
        cfg.experiment.common.pairs = TINY["pairs"] + [f"cache.path={tmp_path}/c.sqlite"]
        cfg.experiment.common.dpo = TINY["dpo"]
        cfg.experiment.common.eval = TINY["eval"]
        cfg.experiment.common.export = []  # evaluate in transformers (the export path has its own test)
    return cfg


@pytest.mark.parametrize("name", ["granular_vs_umbrella", "granular_vs_umbrella_qwen", "sft_vs_dpo", "instructions",
                                  "teacher", "memory"])
def test_every_experiment_config_names_valid_arms_and_comparisons(name):
    node = compose_config("experiment", [f"experiment={name}"]).experiment
    spec = ExperimentSpec.from_config(OmegaConf.to_container(node, resolve=True))
    assert spec.arms and spec.compare and spec.question
    tasks = compose_config("tasks", list(spec.tasks))
    assert tasks.tasks.total * tasks.tasks.splits.test / len(tasks.tasks.weights) >= 40  # >= 40 test tasks each


def test_a_comparison_of_an_unknown_arm_or_an_unknown_key_is_named():
    with pytest.raises(ValueError, match=r"experiment.compare.0"):
        ExperimentSpec.from_config({"name": "x", "arms": {"a": {}}, "compare": [["a", "b"]]})
    with pytest.raises(ValueError, match=r"experiment.arms.a.pair"):
        ExperimentSpec.from_config({"name": "x", "arms": {"a": {"pair": []}}})
    with pytest.raises(ValueError, match=r"the arm name False is not a string \(YAML reads off"):
        ExperimentSpec.from_config({"name": "x", "arms": {False: {}}})


@pytest.mark.slow
def test_granular_vs_umbrella_runs_every_arm_and_seed_on_the_same_test_tasks_into_one_report(tmp_path):
    report = run(_config(tmp_path))
    assert report == tmp_path / "results" / "granular_vs_umbrella" / "report.md"
    text = report.read_text()
    assert "### granular vs umbrella" in text and "McNemar" in text and "## Seeds" in text
    out = tmp_path / "out"
    granular = io.read_manifest(out / "dpo" / "granular_vs_umbrella-granular-s0")
    umbrella = io.read_manifest(out / "dpo" / "granular_vs_umbrella-umbrella-s1")
    assert granular["counts"]["pairs"] == umbrella["counts"]["pairs"] == 4  # the same pair budget
    # Umbrella trains on end-to-end calls only; every arm and seed is evaluated on the same tasks.
    umbrella_pairs = io.read_pairs(out / "pairs" / "granular_vs_umbrella-umbrella-s0")
    assert {p.subtask for p in umbrella_pairs} <= {"simple", "parallel", "chaining", "nested"}
    ids = {name: [line["task_id"] for line in _lines(out / "eval" / name / "results.jsonl")]
           for name in ("granular_vs_umbrella-base", "granular_vs_umbrella-granular-s0",
                        "granular_vs_umbrella-umbrella-s1")}
    assert len({tuple(v) for v in ids.values()}) == 1
    # Two seeds sample different pairs.
    seed0 = io.read_pairs(out / "pairs" / "granular_vs_umbrella-granular-s0")
    seed1 = io.read_pairs(out / "pairs" / "granular_vs_umbrella-granular-s1")
    assert [p.task_id for p in seed0] != [p.task_id for p in seed1] or [p.rejected for p in seed0] != [
        p.rejected for p in seed1]
    archived = tmp_path / "results" / "granular_vs_umbrella" / "runs"
    assert {p.name for p in archived.iterdir()} == {"granular_vs_umbrella-base", *(
        f"granular_vs_umbrella-{a}-s{s}" for a in ("granular", "umbrella") for s in (0, 1))}
    # The command the report gives for an arm's evaluation reproduces its numbers.
    command = io.read_json(archived / "granular_vs_umbrella-granular-s1" / "chain.json")["commands"]["eval"]
    assert command in text
    words = shlex.split(command)
    assert words[:2] == ["distill", "eval"]
    overrides = [w for w in words[2:] if not w.startswith("output_dir=")] + [f"output_dir={tmp_path}/again"]
    again = evaluate(compose_config("eval", overrides))
    assert again["subtasks"] == io.read_json(archived / "granular_vs_umbrella-granular-s1" / "summary.json")["subtasks"]


@pytest.mark.slow
def test_a_killed_experiment_resumes_without_redoing_finished_arms(tmp_path, monkeypatch):
    real = dpo_recipe.run

    def dies_on_umbrella(cfg):
        if cfg.output_dir.endswith("-umbrella-s0"):
            raise KeyboardInterrupt("killed")
        return real(cfg)

    monkeypatch.setattr(dpo_recipe, "run", dies_on_umbrella)
    cfg = _config(tmp_path, seeds=(0,))
    with pytest.raises(KeyboardInterrupt):
        run(cfg)
    out = tmp_path / "out"
    first = io.read_manifest(out / "eval" / "granular_vs_umbrella-granular-s0")["started_at"]
    pairs_first = io.read_manifest(out / "pairs" / "granular_vs_umbrella-umbrella-s0")["started_at"]
    monkeypatch.setattr(dpo_recipe, "run", real)
    run(_config(tmp_path, seeds=(0,)))
    assert io.read_manifest(out / "eval" / "granular_vs_umbrella-granular-s0")["started_at"] == first
    assert io.read_manifest(out / "pairs" / "granular_vs_umbrella-umbrella-s0")["started_at"] == pairs_first
    assert io.read_manifest(out / "eval" / "granular_vs_umbrella-umbrella-s0")["status"] == "done"
    # A later session with an empty outputs/ but the archive: nothing is retrained or re-evaluated.
    import shutil

    shutil.rmtree(out / "eval")
    shutil.rmtree(out / "dpo")
    monkeypatch.setattr(dpo_recipe, "run", dies_on_umbrella)
    shutil.rmtree(out / "pairs")
    report = run(_config(tmp_path, seeds=(0,)))
    assert not (out / "eval" / "granular_vs_umbrella-granular-s0").exists()
    text = report.read_text()
    assert "### granular vs umbrella" in text
    # Pair statistics and training curves come from the archive's copies, and so do the stage times.
    assert "No trained arm has run yet" not in text and "![training curves](training.png)" in text
    umbrella_row = next(line for line in text.splitlines() if line.startswith("| umbrella s0 | "))
    assert "dpo " in umbrella_row and "eval " in umbrella_row


def test_report_only_rewrites_the_report_from_the_archive_and_runs_nothing(tmp_path, monkeypatch, caplog):
    import logging
    import shutil

    from distill.recipes import pairs as pairs_recipe

    run(_config(tmp_path, seeds=(0,)))
    shutil.rmtree(tmp_path / "out")  # a fresh clone: the archive alone
    shutil.rmtree(tmp_path / "results" / "granular_vs_umbrella" / "runs" / "granular_vs_umbrella-umbrella-s0")

    def must_not_run(cfg):
        raise AssertionError(f"report_only ran {cfg.recipe}")

    for module in (pairs_recipe, dpo_recipe, eval_recipe):
        monkeypatch.setattr(module, "run", must_not_run)
    cfg = _config(tmp_path, seeds=(0,))
    cfg.report_only = True
    with caplog.at_level(logging.INFO, logger="distill"):
        text = run(cfg).read_text()
    assert "### granular vs base" in text and "### granular vs umbrella" not in text
    assert "- granular vs umbrella: not run yet" in text
    assert "granular_vs_umbrella-umbrella-s0: not archived yet, left out of the report" in caplog.text
    assert "report_only=" not in text  # the command shown is the one that makes the experiment
    archived = (tmp_path / "results" / "granular_vs_umbrella" / "report.md").read_text()
    assert archived == text
    shutil.rmtree(tmp_path / "results" / "granular_vs_umbrella" / "runs")
    with pytest.raises(ValueError, match="no arm of granular_vs_umbrella is archived"):
        run(cfg)


@pytest.mark.slow
def test_a_changed_arm_config_is_redone(tmp_path):
    run(_config(tmp_path, seeds=(0,)))
    out = tmp_path / "out"
    before = io.read_manifest(out / "eval" / "granular_vs_umbrella-granular-s0")["started_at"]
    cfg = _config(tmp_path, seeds=(0,))
    with open_dict(cfg):
        cfg.experiment.arms.granular.dpo = ["dpo.args.beta=0.2"]
    run(cfg)
    after = io.read_manifest(out / "eval" / "granular_vs_umbrella-granular-s0")
    assert after["started_at"] != before
    assert io.read_manifest(out / "dpo" / "granular_vs_umbrella-granular-s0")["config"]["dpo"]["args"]["beta"] == 0.2


def test_an_arms_own_overrides_win_over_the_experiments_common_ones(tmp_path):
    runner = _Runner(tmp_path / "outputs", "x", None,
                     {"pairs": ["max_tasks=18"], "dpo": ["sft_warmup=false"], "eval": ["limit_per_subtask=2"]})
    tasks = runner.tasks(["tasks.total=180"], "x")
    arm = ArmSpec("a", pairs=("max_tasks=27",), dpo=("sft_warmup=true",), eval=("limit_per_subtask=3",))
    _, _, chain = runner.plan(arm, 0, tasks)
    assert (chain["pairs"]["max_tasks"], chain["dpo"]["sft_warmup"], chain["eval"]["limit_per_subtask"]) == (27, True, 3)
    assert chain["commands"]["dpo"].index("sft_warmup=false") < chain["commands"]["dpo"].index("sft_warmup=true")
    plain = ArmSpec("b")
    _, _, chain = runner.plan(plain, 0, tasks)
    assert (chain["pairs"]["max_tasks"], chain["dpo"]["sft_warmup"], chain["eval"]["limit_per_subtask"]) == (18, False, 2)


def test_an_archived_arm_spelled_with_other_overrides_but_the_same_configs_is_not_redone(tmp_path):
    archive = tmp_path / "results"
    runner = _Runner(tmp_path / "outputs", "x", archive, {"pairs": [], "dpo": ["sft_warmup=false"], "eval": []})
    tasks = runner.tasks(["tasks.total=180"], "x")
    result, _, chain = runner.plan(ArmSpec("a"), 0, tasks)
    folder = archive / "runs" / result.eval_dir.name
    folder.mkdir(parents=True)
    for file in ("manifest.json", "summary.json", "results.jsonl"):
        (folder / file).write_text("{}")
    archived = {**_normal(chain), "commands": {"dpo": "distill dpo sft_warmup=false (as spelled then)"}}
    archived["dpo"]["max_pair_tokens"] = "***redacted***"  # as archives before SECRET_KEY hold "auto"
    io.write_json(folder / "chain.json", archived)
    assert runner._archived(result.eval_dir.name, chain)
    # The same override moved from common into the arm composes the same run.
    moved = _Runner(tmp_path / "outputs", "x", archive, {"pairs": [], "dpo": [], "eval": []})
    _, _, same = moved.plan(ArmSpec("a", dpo=("sft_warmup=false",)), 0, moved.tasks(["tasks.total=180"], "x"))
    assert moved._archived(result.eval_dir.name, same)
    _, _, other = moved.plan(ArmSpec("a", dpo=("sft_warmup=true",)), 0, moved.tasks(["tasks.total=180"], "x"))
    assert not moved._archived(result.eval_dir.name, other)


def test_a_key_the_recipe_gained_since_a_run_reads_as_its_default_at_any_depth():
    now = OmegaConf.to_container(compose_config("tasks"), resolve=True)
    done = {k: v for k, v in now.items() if k != "tools"}  # a run from before tools= existed
    done["written"] = {k: v for k, v in now["written"].items() if k not in ("compositions", "fallbacks")}
    assert same_config(done, now)
    assert same_config({"chain": [done]}, {"chain": [now]})
    changed = {**now, "written": {**now["written"], "fallbacks": [{"primary": "a", "alternative": "b"}]}}
    assert not same_config(done, changed)
    assert not same_config({**done, "seed": 1}, now)


def test_an_archived_eval_that_still_names_its_retired_memory_dir_is_the_same_run():
    now = OmegaConf.to_container(compose_config("eval", ["memory=awm"]), resolve=True)
    assert "memory_dir" not in now
    done = {**now, "memory_dir": "outputs/memory/eval"}  # where eval also wrote its routines until 2026-12-05
    assert same_config(done, now)
    assert same_config({"chain": [done]}, {"chain": [now]})
    assert not same_config({**done, "limit_per_subtask": 3}, now)


def test_an_archived_arm_checkpointed_at_another_cadence_is_the_same_run():
    now = OmegaConf.to_container(compose_config("dpo", ["sft_warmup=true"]), resolve=True)
    assert now["dpo"]["sft"]["save_strategy"] == "steps"
    done = copy.deepcopy(now)
    done["dpo"]["sft"] = {k: v for k, v in now["dpo"]["sft"].items() if k not in ("save_steps", "save_total_limit")}
    done["dpo"]["sft"]["save_strategy"] = "no"  # how the warm start ran until 2026-12-06
    assert same_config(done, now)
    assert same_config({"chain": [done]}, {"chain": [now]})
    assert not same_config({**done, "dpo": {**done["dpo"], "sft": {**done["dpo"]["sft"], "learning_rate": 1.0}}}, now)


def _lines(path):
    import json

    return [json.loads(line) for line in path.read_text().splitlines()]


def _memory_config(tmp_path, arms):
    cfg = compose_config("experiment", ["experiment=memory", f"output_dir={tmp_path}/out/experiment/memory",
                                        f"archive_dir={tmp_path}/results/memory"])
    with open_dict(cfg):
        cfg.experiment.tasks = ["tasks.total=180"]
        cfg.experiment.arms = arms
        cfg.experiment.compare = [["off", "rules"]]
        cfg.experiment.common.pairs = TINY["pairs"] + [f"cache.path={tmp_path}/c.sqlite"]
        cfg.experiment.common.eval = ["limit_per_subtask=2", f"cache.path={tmp_path}/c.sqlite"]
    return cfg


def test_eval_only_arms_get_their_memory_from_their_own_or_an_earlier_arms_pairs(tmp_path):
    arms = {"off": {"train": False, "eval": ["target=teacher"]},
            "rules": {"train": False, "pairs": ["teacher=simulated"], "eval": ["target=teacher", "memory=awm"]},
            "online": {"train": False, "memory_from": "rules",
                       "eval": ["target=teacher", "memory=awm", "memory.online=true"]}}
    report = run(_memory_config(tmp_path, arms))
    out = tmp_path / "out"
    pairs = str(out / "pairs" / "memory-rules")
    assert io.read_manifest(out / "eval" / "memory-rules")["config"]["memory"]["pairs_run"] == pairs
    assert io.read_manifest(out / "eval" / "memory-online")["config"]["memory"]["pairs_run"] == pairs
    assert io.read_manifest(out / "eval" / "memory-off")["config"]["memory"]["kind"] == "off"
    assert not (out / "pairs" / "memory-off").exists() and not (out / "dpo").exists()
    assert "### rules vs off" in report.read_text()
    # Each memory arm archives the routines its eval showed.
    runs = tmp_path / "results" / "memory" / "runs"
    rules, online = (_lines(runs / f"memory-{arm}" / "routines.jsonl") for arm in ("rules", "online"))
    assert rules == _lines(out / "eval" / "memory-rules" / "routines.jsonl")
    assert all(source.split("/")[1] == "train" for r in rules for source in r["sources"])
    assert any(source.split("/")[1] == "test" for r in online for source in r["sources"])  # grown online
    assert not (runs / "memory-off" / "routines.jsonl").exists()


def test_an_arms_listed_commands_alone_remake_it_on_a_fresh_clone(tmp_path):
    """The report lists, per arm, every command it needs: the tasks run, the memory source's pairs run
    (another arm's), then its own stages. Run alone, in order, into another folder, they give its numbers."""
    import importlib

    arms = {"rules": {"train": False, "pairs": ["teacher=simulated"], "eval": ["target=teacher", "memory=awm"]},
            "online": {"train": False, "memory_from": "rules",
                       "eval": ["target=teacher", "memory=awm", "memory.online=true"]}}
    cfg = _memory_config(tmp_path, arms)
    cfg.experiment.compare = [["rules", "online"]]
    text = run(cfg).read_text()
    block = text[text.index("\n- online:\n", text.index("## Provenance")):]
    commands = block.split("```bash\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert [shlex.split(c)[1] for c in commands] == ["tasks", "pairs", "eval"]
    assert "output_dir=" + str(tmp_path / "out" / "pairs" / "memory-rules") in commands[1]
    archived = tmp_path / "results" / "memory" / "runs" / "memory-online"
    out, fresh = str(tmp_path / "out"), str(tmp_path / "fresh")
    for command in commands:
        recipe, *overrides = shlex.split(command)[1:]
        assert all(out in o for o in overrides if "output_dir=" in o or "_run=" in o)
        importlib.import_module(f"distill.recipes.{recipe}").run(
            compose_config(recipe, [o.replace(out, fresh) for o in overrides]))
    again = io.read_json(tmp_path / "fresh" / "eval" / "memory-online" / "summary.json")
    assert again["subtasks"] == io.read_json(archived / "summary.json")["subtasks"]


def test_a_memory_source_with_memory_left_off_is_a_clear_error(tmp_path):
    arms = {"off": {"train": False, "eval": ["target=teacher"]},
            "rules": {"train": False, "pairs": ["teacher=simulated"], "eval": ["target=teacher"]}}
    with pytest.raises(ValueError, match=r"experiment.arms.rules: .*add memory=awm to its eval overrides"):
        run(_memory_config(tmp_path, arms))


@pytest.mark.slow
@pytest.mark.real_model
def test_with_export_overrides_the_student_is_evaluated_from_its_gguf_on_llamacpp(tmp_path):
    pytest.importorskip("llama_cpp", reason="needs llama-cpp-python: `make llamacpp`")
    cfg = _config(tmp_path, seeds=(0,))
    with open_dict(cfg):
        cfg.experiment.arms = {"base": {"train": False}}
        cfg.experiment.compare = []
        cfg.experiment.common.export = ["outtype=f32"]
        cfg.experiment.common.eval = ["limit_per_subtask=1", "sampling.max_tokens=16", f"cache.path={tmp_path}/c.sqlite"]
    run(cfg)
    out = tmp_path / "out"
    config = io.read_manifest(out / "eval" / "granular_vs_umbrella-base")["config"]
    gguf = out / "export" / "granular_vs_umbrella-base" / "model.gguf"
    assert (config["target"], config["teacher"]["backend"], config["teacher"]["model"]) == ("teacher", "llamacpp",
                                                                                           str(gguf))
    assert gguf.exists() and io.read_manifest(gguf.parent)["gguf"]["outtype"] == "f32"


def test_an_export_of_another_student_than_the_one_trained_is_a_clear_error(tmp_path):
    cfg = _config(tmp_path, seeds=(0,))
    with open_dict(cfg):
        cfg.experiment.common.export = ["outtype=f32"]  # exports smollm2-135m, the arms train tiny-random
    with pytest.raises(ValueError, match=r"experiment.common.export: it exports student 'smollm2-135m' but arm"):
        run(cfg)


def test_an_export_of_the_trained_student_passes_whatever_format_its_answers_were_trained_in():
    from distill.recipes.experiment import _check

    student = {"name": "qwen2.5-coder-0.5b", "model": "qwen2.5-coder-0.5b", "tools_in_template": None}
    chain = {"dpo": {"student": {**student, "call_format": "json"}}, "export": {"student": {**student}},
             "pairs": {"memory": {"kind": "off"}}, "eval": {"student": student, "memory": {"kind": "off"}}}
    _check(ArmSpec("umbrella_json"), chain, has_memory=False)  # the weights exported are the ones trained
    chain["export"]["student"] = {**student, "name": "other", "model": "other"}
    with pytest.raises(ValueError, match="it exports student 'other' but arm umbrella_json uses 'qwen2.5-coder"):
        _check(ArmSpec("umbrella_json"), chain, has_memory=False)


def test_distill_experiment_runs_from_the_command_line_where_hydra_is_already_initialized(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    assets = Path(__file__).resolve().parents[1] / "assets" / "conf"
    command = [sys.executable, "-m", "distill.recipes.experiment", "experiment=cli_tiny",
               f"hydra.searchpath=[file://{assets}]", f"output_dir={tmp_path}/outputs/experiment/cli_tiny",
               f"archive_dir={tmp_path}/results", f"hydra.run.dir={tmp_path}/outputs/experiment/cli_tiny"]
    # Run from tmp_path: every relative path (outputs/, teacher_cache/) lands there.
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "### rules vs plain" in (tmp_path / "results" / "report.md").read_text()
    assert "distill experiment experiment=cli_tiny" in (tmp_path / "results" / "commands.sh").read_text()


def test_commands_sh_imports_the_answers_the_archive_keeps_before_resuming(tmp_path):
    from distill.experiment import commands_script

    plain = commands_script("memory", "distill experiment experiment=memory", tmp_path)
    assert "cache import" not in plain and plain.endswith(".venv/bin/distill experiment experiment=memory\n")
    (tmp_path / "cache_llamacpp.jsonl").write_text("")
    script = commands_script("memory", "distill experiment experiment=memory", tmp_path)
    lines = script.splitlines()
    imported = lines.index(f".venv/bin/distill cache import {tmp_path.as_posix()}/cache_llamacpp.jsonl")
    assert imported < lines.index(".venv/bin/distill experiment experiment=memory")
