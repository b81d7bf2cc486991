"""`make pairs` end to end: artifacts TRL accepts, and a SIGKILLed run that resumes from the cache with
identical output and no repeated teacher call."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from distill import io
from distill.recipes import compose_config
from distill.recipes.pairs import run
from distill.records import SUBTASKS
from distill.sampling.loopback import FaultPlan, LoopbackServer


def _cfg(tmp_path, *overrides):
    return compose_config("pairs", [f"output_dir={tmp_path}/run", f"cache.path={tmp_path}/cache.sqlite",
                                    "tasks.total=360", *overrides])


def test_pairs_recipe_writes_datasets_stats_and_a_simulated_label(tmp_path, capsys):
    stats = run(_cfg(tmp_path))
    out = tmp_path / "run"
    assert set(stats["pairs_by_subtask"]) == set(SUBTASKS)
    assert {"pairs_by_subtask", "pairs_by_reason", "pairs_by_source", "contamination_dropped"} <= set(stats)
    assert json.loads((out / "stats.json").read_text())["pairs"] == stats["pairs"] == len(io.read_pairs(out))
    conversational, rendered = io.load_dataset(out / "dataset"), io.load_dataset(out / "rendered")
    assert {"prompt", "chosen", "rejected", "tools", "subtask", "source", "reason", "task_id"} <= set(conversational.column_names)
    assert len(conversational) == len(rendered) == stats["pairs"]
    assert stats["teacher"]["simulated"] is True
    assert io.read_manifest(out)["teacher"]["simulated"] is True
    printed = capsys.readouterr().out
    assert "SIMULATED" in printed and "corruption" in printed


def test_rerun_makes_no_teacher_request_and_writes_the_same_pairs(tmp_path):
    first = run(_cfg(tmp_path))
    before = (tmp_path / "run" / "pairs.jsonl").read_bytes()
    second = run(_cfg(tmp_path))
    assert second["teacher"]["cache"]["requested"] == 0
    assert second["teacher"]["cache"]["hits"] == first["teacher"]["cache"]["requested"]
    assert (tmp_path / "run" / "pairs.jsonl").read_bytes() == before


def _pairs_cli(tmp_path, name, server, cache):
    env = {**os.environ, "LOOPBACK_KEY": "sk-loopback-test"}
    return subprocess.Popen(
        [sys.executable, "-m", "distill.cli", "pairs", "teacher=openai", f"teacher.base_url={server.base_url}/v1",
         "teacher.api_key_env=LOOPBACK_KEY", "teacher.model=loop", "teacher.concurrency=2", "tasks.total=120",
         "sampling.n=1", f"output_dir={tmp_path}/{name}", f"cache.path={cache}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _cached(cache):
    if not cache.exists():
        return 0
    with sqlite3.connect(cache) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


@pytest.mark.slow
def test_a_sigkilled_run_resumes_from_the_cache_with_identical_output(tmp_path):
    slow = LoopbackServer(FaultPlan(latency_s=0.15))
    other = LoopbackServer(FaultPlan(latency_s=0.01))
    slow.start()
    other.start()
    try:
        cache = tmp_path / "killed.sqlite"
        proc = _pairs_cli(tmp_path, "killed", slow, cache)
        deadline = time.monotonic() + 120
        while _cached(cache) < 10 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done_before = _cached(cache)
        assert 10 <= done_before < 96, done_before  # killed mid-run, with paid work in the cache
        assert io.read_manifest(tmp_path / "killed", finished=False)["status"] == "running"

        resumed = _pairs_cli(tmp_path, "killed", slow, cache)
        assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
        clean = _pairs_cli(tmp_path, "clean", other, tmp_path / "clean.sqlite")
        assert clean.wait(timeout=300) == 0, clean.stderr.read()

        # Nothing that reached the cache was asked again; only answers in flight at the kill (at most
        # `teacher.concurrency` of them) were lost with the process and asked once more.
        repeated = sum(n - 1 for n in slow.successes.values())
        assert repeated <= 2
        assert sum(slow.successes.values()) - repeated == sum(other.successes.values())
        assert (tmp_path / "killed" / "pairs.jsonl").read_bytes() == (tmp_path / "clean" / "pairs.jsonl").read_bytes()
        assert io.read_manifest(tmp_path / "killed")["status"] == "done"
    finally:
        slow.stop()
        other.stop()


def test_max_tasks_spreads_the_budget_over_every_sub_task(tmp_path):
    stats = run(_cfg(tmp_path, "max_tasks=18", "sampling.n=1"))
    assert stats["tasks"] == 18
    assert stats["teacher"]["cache"]["requested"] == 18
    assert sorted(stats["teacher"]["accuracy_by_subtask"]) == sorted(SUBTASKS)


@pytest.mark.slow
@pytest.mark.real_model
def test_pairs_from_a_real_local_teacher_on_llama_cpp_are_labelled_with_it(tmp_path, capsys):
    """The embedded SmolLM2's GGUF as a (weak) real teacher: its wrong answers are real negatives."""
    pytest.importorskip("llama_cpp", reason="needs llama-cpp-python: `make llamacpp`")
    overrides = ("teacher=llamacpp", "max_tasks=9", "sampling.n=2", "sampling.max_tokens=24")
    stats = run(_cfg(tmp_path, *overrides))
    assert stats["teacher"]["simulated"] is False and stats["teacher"]["backend"] == "llamacpp"
    assert stats["teacher"]["cache"]["requested"] == 18 and stats["tasks"] == 9
    assert stats["pairs_by_source"].get("teacher", 0) > 0  # the teacher's own wrong answers are rejected sides
    assert "SIMULATED" not in capsys.readouterr().out
    again = run(_cfg(tmp_path, *overrides))
    assert again["teacher"]["cache"]["requested"] == 0 and again["pairs"] == stats["pairs"]


def test_a_tasks_run_wins_over_the_tasks_config_and_seed(tmp_path):
    from distill.recipes.tasks import run as make_tasks

    make_tasks(compose_config("tasks", [f"output_dir={tmp_path}/tasks", "tasks.total=180", "seed=0"]))
    run(_cfg(tmp_path, f"tasks_run={tmp_path}/tasks", "seed=5", "tasks=umbrella"))
    used = {t.id: t for t in io.read_tasks(tmp_path / "run")}
    made = {t.id: t for t in io.read_tasks(tmp_path / "tasks")}
    assert used == made  # seed 5 and tasks=umbrella would have made other tasks
    assert io.read_manifest(tmp_path / "run")["tasks"] == {"tasks_run": f"{tmp_path}/tasks", "tasks": "granular",
                                                           "tasks_seed": 0, "tools": "library"}


def test_a_tasks_run_without_train_tasks_is_a_clear_error(tmp_path):
    from distill.recipes.tasks import run as make_tasks

    make_tasks(compose_config("tasks", [f"output_dir={tmp_path}/tasks", "tasks.total=90",
                                        "tasks.splits.train=0.0"]))
    with pytest.raises(ValueError, match=r"tasks has no task in the 'train' split"):
        run(_cfg(tmp_path, f"tasks_run={tmp_path}/tasks"))


def test_a_teacher_with_memory_sees_routines_but_the_pairs_keep_the_plain_prompt(tmp_path, monkeypatch):
    from distill.sampling.simulated import SimulatedSampler

    run(compose_config("pairs", [f"output_dir={tmp_path}/traces", f"cache.path={tmp_path}/c0.sqlite",
                                 "tasks.total=360"]))
    seen = {}
    real = SimulatedSampler.sample

    def spy(self, tasks, params, indices=None):
        tasks = list(tasks)
        seen.update({t.id: t.messages[0]["content"] for t in tasks})
        return real(self, tasks, params, indices)

    monkeypatch.setattr(SimulatedSampler, "sample", spy)
    run(_cfg(tmp_path, "memory=awm", f"memory.pairs_run={tmp_path}/traces"))
    assert sum("Routines that solved" in prompt for prompt in seen.values()) > len(seen) // 2
    pairs = io.read_pairs(tmp_path / "run")
    assert pairs and not any("Routines that solved" in json.dumps(p.prompt) for p in pairs)
    with pytest.raises(ValueError, match="memory.pairs_run"):
        run(_cfg(tmp_path, "memory=awm", "memory.pairs_run=null", "run_name=x", f"output_dir={tmp_path}/x"))


def test_the_student_sampler_renders_tools_as_the_student_config_says():
    from distill.recipes.pairs import student_sampler_config
    from distill.sampling.base import typed_options
    from distill.sampling.hf import HFOptions

    told = student_sampler_config(compose_config("pairs", ["student.tools_in_template=false"]))
    assert typed_options(HFOptions, told.options, "hf").tools_in_template is False
    assert student_sampler_config(compose_config("pairs", [])).options["tools_in_template"] is None  # the template decides
    kept = student_sampler_config(compose_config("pairs", ["student.tools_in_template=false",
                                                           "+student_sampler.options.tools_in_template=true"]))
    assert kept.options["tools_in_template"] is True  # an explicit sampler option wins
