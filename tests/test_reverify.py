"""`distill reverify`: an eval run's stored answers re-judged by today's verifier, nothing sampled."""

import json
import shutil
from dataclasses import replace

import pytest

from distill import io
from distill.cli import main as cli_main
from distill.formatting import compact
from distill.recipes import compose_config
from distill.recipes import eval as eval_recipe
from distill.records import EvalRecord, Reason, Sample, Verdict
from distill.reverify import judged_by, rejudge, write
from distill.verify import verifier_fingerprint


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reverify")
    eval_recipe.run(compose_config("eval", [f"output_dir={tmp}/teacher", "target=teacher", f"cache.path={tmp}/c.sqlite",
                                            "limit_per_subtask=3", "bfcl_categories=[simple_python,irrelevance]"]))
    return tmp / "teacher"


def _copy(run, tmp_path):
    shutil.copytree(run, tmp_path / "run")
    return tmp_path / "run"


def _records(run_dir):
    return list(io.read_jsonl(run_dir / "results.jsonl", EvalRecord))


def test_an_eval_run_records_the_verifier_that_judged_it(run):
    manifest = io.read_manifest(run)
    assert manifest["verifier"] == verifier_fingerprint()
    assert judged_by(manifest) == (verifier_fingerprint(), manifest["git_sha"])


def test_rejudging_a_run_of_this_verifier_changes_nothing(run):
    result = rejudge(run)
    assert result.changed == 0
    assert [r.verdict for r in result.records] == [r.verdict for r in _records(run)]
    assert result.summary == io.read_json(run / "summary.json")


def test_a_parallel_answer_written_as_bare_objects_is_rejudged_on_every_call(run, tmp_path):
    """The verdict an older parser gave (it read the first of two bare call objects) is replaced."""
    run_dir = _copy(run, tmp_path)
    records = _records(run_dir)
    right_n = sum(r.verdict.correct for r in records if r.subtask == "parallel")
    number = next(i for i, r in enumerate(records) if r.subtask == "parallel" and r.verdict.correct)
    calls = records[number].sample.tool_calls
    assert len(calls) >= 2
    text = "\n\n".join(compact({"name": c.name, "arguments": c.arguments}) for c in calls)
    old = replace(records[number], sample=replace(records[number].sample, text=text, tool_calls=None),
                  verdict=Verdict(records[number].task_id, 0, Reason.WRONG_CALL_COUNT, "expected 2 call(s), got 1",
                                  calls=calls[:1]))
    records[number] = old
    io.write_jsonl(run_dir / "results.jsonl", records)
    summary = io.read_json(run_dir / "summary.json")
    right = summary["subtasks"]["parallel"]["accuracy"]
    summary["subtasks"]["parallel"]["accuracy"] = 0.0  # what the older verdicts said
    io.write_json(run_dir / "summary.json", summary)

    result = rejudge(run_dir)
    assert result.changed == 1
    assert result.records[number].verdict.reason is Reason.OK and len(result.records[number].verdict.calls) == len(calls)
    assert result.records[number].sample == old.sample  # the answer itself is untouched
    assert ("parallel", 3, right_n - 1, right_n, 1) in result.rows()

    commit = io.read_manifest(run_dir)["git_sha"]
    write(result)
    assert _records(run_dir)[number].verdict.reason is Reason.OK
    assert io.read_json(run_dir / "summary.json")["subtasks"]["parallel"]["accuracy"] == right
    manifest = io.read_manifest(run_dir)
    assert manifest["git_sha"] == commit  # the commit that produced the answers stays
    (entry,) = manifest["rejudged"]
    assert entry["changed"] == 1 and entry["verifier"] == verifier_fingerprint()
    assert entry["correct"] == entry["correct_before"] + 1

    write(rejudge(run_dir))  # again: nothing changes, and the first re-judging stays on record
    first, second = io.read_manifest(run_dir)["rejudged"]
    assert first == entry and second["changed"] == 0


def test_a_failed_request_keeps_its_verdict(run, tmp_path):
    run_dir = _copy(run, tmp_path)
    records = _records(run_dir)
    failed = replace(records[0], sample=Sample(records[0].task_id, 0, "none", "m", error="timeout"),
                     verdict=Verdict(records[0].task_id, 0, Reason.NO_CALL, "request failed: timeout"))
    io.write_jsonl(run_dir / "results.jsonl", [failed, *records[1:]])
    result = rejudge(run_dir)
    assert result.records[0].verdict == failed.verdict and result.changed == 0


def test_the_cli_shows_changes_and_writes_only_when_asked(run, tmp_path, capsys):
    run_dir = _copy(run, tmp_path)
    records = _records(run_dir)
    records[0] = replace(records[0], verdict=Verdict(records[0].task_id, 0, Reason.PARSE_ERROR, "older verifier"))
    io.write_jsonl(run_dir / "results.jsonl", records)
    before = (run_dir / "results.jsonl").read_text()
    assert cli_main(["reverify", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "verdicts changed" in out and "nothing written" in out
    assert (run_dir / "results.jsonl").read_text() == before
    assert cli_main(["reverify", str(run_dir), "--write"]) == 0
    assert _records(run_dir)[0].verdict.reason is not Reason.PARSE_ERROR
    assert json.loads((run_dir / "manifest.json").read_text())["rejudged"][-1]["changed"] == 1


def test_a_run_that_is_not_an_eval_run_or_lost_its_tasks_is_refused_by_name(run, tmp_path):
    run_dir = _copy(run, tmp_path)
    manifest = io.read_manifest(run_dir)
    io.write_manifest(run_dir, {**manifest, "recipe": "pairs"})
    with pytest.raises(ValueError, match="'pairs' run"):
        rejudge(run_dir)
    io.write_manifest(run_dir, {**manifest, "config": {**manifest["config"], "tasks_run": str(tmp_path / "gone")}})
    with pytest.raises(FileNotFoundError, match="--tasks-run"):
        rejudge(run_dir)


def test_the_cli_names_a_run_it_cannot_rejudge_and_goes_on_with_the_others(run, tmp_path, capsys):
    assert cli_main(["reverify", str(tmp_path / "nothing"), str(run)]) == 1
    captured = capsys.readouterr()
    assert "nothing" in captured.err and "holds no run" in captured.err
    assert "verdicts changed" in captured.out  # the second run was still re-judged


def test_an_experiment_report_names_the_runs_judged_by_another_verifier(tmp_path, caplog):
    from distill.experiment import ArmRun, provenance_lines

    current, stale, rejudged = (tmp_path / name for name in ("current", "stale", "rejudged"))
    io.write_manifest(current, {"status": "done", "git_sha": "aaa", "verifier": verifier_fingerprint()})
    io.write_manifest(stale, {"status": "done", "git_sha": "bbb"})  # before runs recorded their verifier
    io.write_manifest(rejudged, {"status": "done", "git_sha": "ccc", "verifier": "0ld",
                                 "rejudged": [{"git_sha": "eee", "verifier": "0ld"},
                                              {"git_sha": "ddd", "verifier": verifier_fingerprint()}]})
    runs = [ArmRun("base", None, current, False), ArmRun("old", 0, stale, True), ArmRun("again", 0, rejudged, True)]
    text = "\n".join(provenance_lines(runs))
    assert "| again s0 | ccc | ddd (re-judged) |" in text and "| base | aaa | aaa |" in text
    warning = next(line for line in text.splitlines() if "another verifier" in line)
    assert "old s0" in warning and f"distill reverify {stale} --write" in warning
    assert "base" not in warning and "again" not in warning
    assert "old s0" in caplog.text


def test_the_fingerprint_ignores_comments_and_docstrings_but_not_code():
    from distill.verify import _code_of

    code = 'LIMIT = 3\n"""What it limits."""\n\ndef f(x):\n    """Doc."""\n    return x + 1  # why\n'
    assert _code_of(code) == _code_of('LIMIT = 3\n\ndef f(x):\n    """Other words."""\n\n    return x + 1\n')
    assert _code_of(code) != _code_of(code.replace("LIMIT = 3", "LIMIT = 4"))
    assert _code_of(code) != _code_of('def f(x):\n    """Doc."""\n    return x + 2\n')


def test_an_online_memory_run_is_rejudged_with_a_note_that_its_answers_depended_on_old_verdicts(run, tmp_path):
    run_dir = _copy(run, tmp_path)
    manifest = io.read_manifest(run_dir)
    memory = {**manifest["config"]["memory"], "kind": "awm", "online": True}
    io.write_manifest(run_dir, {**manifest, "config": {**manifest["config"], "memory": memory}})
    (note,) = rejudge(run_dir).notes
    assert note.startswith("online memory")
    assert rejudge(run).notes == []
