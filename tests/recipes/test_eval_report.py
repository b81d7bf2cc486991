"""`make eval` on a teacher and a student, and `make report` rendering every section and image."""

import json

import pytest

from distill import io
from distill.recipes import compose_config
from distill.recipes import eval as eval_recipe
from distill.recipes import report as report_recipe
from distill.report import SECTIONS


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    teacher = eval_recipe.run(compose_config("eval", [f"output_dir={tmp}/teacher", "target=teacher", f"cache.path={tmp}/c.sqlite",
                                                "limit_per_subtask=4", "bfcl_categories=[simple_python,irrelevance]"]))
    student = eval_recipe.run(compose_config("eval", [f"output_dir={tmp}/base", "student=tiny-random", "limit_per_subtask=2",
                                                "sampling.max_tokens=8"]))
    # A "trained" run: the teacher's summary under a checkpoint config (the report reads manifests and summaries).
    (tmp / "trained").mkdir()
    io.write_json(tmp / "trained" / "summary.json", {**teacher, "model": "student+dpo", "simulated": False})
    io.write_manifest(tmp / "trained", {"status": "done", "role": "trained", "arm": "granular SFT->DPO", "memory": "off",
                                        "config": {"target": "student", "checkpoint": str(tmp / "dpo" / "model")}})
    return tmp, teacher, student


def test_eval_summary_has_subtasks_intervals_reasons_and_bfcl(runs):
    tmp, teacher, student = runs
    saved = json.loads((tmp / "teacher" / "summary.json").read_text())
    assert saved["subtasks"]["simple"]["n"] == 4 and len(saved["subtasks"]["simple"]["ci95"]) == 2
    assert set(saved["bfcl"]) >= {"simple_python", "irrelevance", "leaderboard"}
    assert saved["bfcl"]["leaderboard"]["non_live"]["AST Summary"] is None  # multiple, parallel... not run
    assert saved["simulated"] is True and saved["overall"]["macro_accuracy"] is not None
    assert len(list(io.read_jsonl(tmp / "teacher" / "results.jsonl", __import__("distill.records", fromlist=["EvalRecord"]).EvalRecord))) == 9 * 4 + 2 * 4
    assert student["model"] == "tiny-random" and student["overall"]["n"] == 18


def test_report_renders_every_section_and_image(runs, tmp_path):
    tmp, teacher, student = runs
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    io.write_json(pairs / "stats.json", {"pairs": 3, "tasks": 2, "contamination_dropped": 0,
                                         "pairs_by_subtask": {"simple": 3}, "pairs_by_source": {"teacher": 3},
                                         "pairs_by_reason": {"wrong_value": 3},
                                         "teacher": {"backend": "simulated", "model": "oracle", "simulated": True}})
    io.write_manifest(pairs, {"recipe": "pairs", "status": "done"})
    dpo = tmp_path / "dpo"
    dpo.mkdir()
    io.write_jsonl(dpo / "metrics.jsonl", [{"round": 0, "phase": "dpo", "step": i, "loss": 0.7 - i / 100,
                                            "rewards/margins": i / 10} for i in range(1, 6)])
    cfg = compose_config("report", [f"output_dir={tmp_path}/report", f"eval_runs=[{tmp}/base,{tmp}/trained,{tmp}/teacher]",
                              f"pairs_run={pairs}", f"dpo_runs=[{dpo}]"])
    path = report_recipe.run(cfg)
    text = path.read_text()
    for section in SECTIONS:
        assert f"## {section}" in text
    for image in ("accuracy.png", "reasons.png", "training.png"):
        assert f"({image})" in text and (path.parent / image).stat().st_size > 1000
    assert "student+dpo" in text and "simulated" in text
    # The trained run is compared with the base student: both macros, base first.
    lift = f"macro accuracy {student['overall']['macro_accuracy']:.3f} → {teacher['overall']['macro_accuracy']:.3f}"
    assert any(" vs **" in line and lift in line for line in text.splitlines()), lift
    html = (path.parent / "report.html").read_text()
    assert "<table>" in html and "<img src=\"accuracy.png\"" in html


def test_each_eval_run_records_its_role_and_memory_in_its_manifest(runs):
    tmp, _, _ = runs
    teacher, base = io.read_manifest(tmp / "teacher"), io.read_manifest(tmp / "base")
    assert (teacher["role"], teacher["memory"], teacher["arm"]) == ("teacher", "off", "")
    assert (base["role"], base["memory"], base["arm"]) == ("base", "off", "")


def test_a_trained_run_records_the_arm_its_dpo_run_wrote(tmp_path):
    from distill.memory import MemoryConfig

    io.write_manifest(tmp_path / "dpo", {"recipe": "dpo", "status": "done", "arm": "umbrella DPO", "method": "DPO"})
    cfg = compose_config("eval", [f"checkpoint={tmp_path}/dpo/model", "memory=awm"])
    assert eval_recipe._facts(cfg, MemoryConfig(kind="awm")) == {"role": "trained", "memory": "awm",
                                                                  "arm": "umbrella DPO"}
    missing = compose_config("eval", [f"checkpoint={tmp_path}/elsewhere/model"])
    assert eval_recipe._facts(missing, MemoryConfig())["arm"] == ""


def test_the_report_reads_each_run_from_its_own_facts_and_an_old_run_is_other(runs, tmp_path, caplog):
    tmp, _, _ = runs
    trained = report_recipe.describe(tmp / "trained")
    assert (trained.role, trained.arm, trained.memory) == ("trained", "granular SFT->DPO", "off")
    assert report_recipe.describe(tmp / "teacher").role == "teacher"
    old = tmp_path / "old"
    old.mkdir()
    io.write_json(old / "summary.json", io.read_json(tmp / "base" / "summary.json"))
    io.write_manifest(old, {"status": "done", "config": {"target": "student", "checkpoint": None}})
    with caplog.at_level("WARNING", logger="distill"):
        assert report_recipe.describe(old).role == "other"
    assert "records no role" in caplog.text
    assert f"{old}: its verdicts come from another verifier" in caplog.text  # it records no verifier either
    caplog.clear()
    with caplog.at_level("WARNING", logger="distill"):
        report_recipe.describe(tmp / "teacher")
    assert "another verifier" not in caplog.text
