"""Artifacts are written atomically and manifests never carry secrets."""

import json

import pytest

from distill import io
from distill.records import ToolCall


def test_jsonl_round_trip(tmp_path):
    calls = [ToolCall("f", {"x": i}) for i in range(5)]
    assert io.write_jsonl(tmp_path / "a.jsonl", calls) == 5
    assert list(io.read_jsonl(tmp_path / "a.jsonl", ToolCall)) == calls


def test_failed_write_leaves_previous_artifact_and_no_temp_file(tmp_path):
    path = tmp_path / "a.jsonl"
    io.write_jsonl(path, [ToolCall("old", {})])

    def exploding():
        yield ToolCall("new", {})
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        io.write_jsonl(path, exploding())
    assert [c.name for c in io.read_jsonl(path, ToolCall)] == ["old"]
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl"]


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "f", "arguments": {}}\n{"nope": 1}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        list(io.read_jsonl(path, ToolCall))


def test_manifest_has_provenance_and_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-abcdef123456")
    config = {"teacher": {"api_key_env": "OPENAI_API_KEY", "api_key": "sk-pasted-by-mistake",
                          "note": "key sk-live-abcdef123456 leaked into a string"}}
    io.write_manifest(tmp_path, {"recipe": "x", "config": config})
    text = (tmp_path / "manifest.json").read_text()
    assert "sk-live-abcdef123456" not in text and "sk-pasted-by-mistake" not in text
    manifest = json.loads(text)
    assert manifest["config"]["teacher"]["api_key_env"] == "OPENAI_API_KEY"
    # Settings whose names merely contain "token" or "key" are kept.
    settings = {"max_pair_tokens": "auto", "tokenizer": "models/tok", "max_tokens": "128", "hf_token": "hf_x"}
    assert io.redact(settings) == {**settings, "hf_token": "***redacted***"}
    assert "torch" in manifest["versions"] and "git_sha" in manifest


def test_reading_a_folder_without_a_run_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no run"):
        io.read_manifest(tmp_path)


def test_a_run_that_did_not_finish_is_not_read_unless_asked(tmp_path):
    io.write_manifest(tmp_path, {"recipe": "pairs", "status": "running"})
    with pytest.raises(io.RunNotFinished, match="did not finish \\(status 'running'\\).*make pairs"):
        io.read_manifest(tmp_path)
    assert io.read_manifest(tmp_path, finished=False)["status"] == "running"


def test_every_persisted_text_has_secrets_redacted(tmp_path, monkeypatch):
    from distill.records import Sample

    secret = "hf_SECRET_token_0123456789"
    monkeypatch.setenv("HF_TOKEN", secret)
    sample = Sample("t", 0, "b", "m", text=f"echo {secret}", error=None, raw={"body": f"key={secret}"})
    assert secret not in sample.text
    io.write_jsonl(tmp_path / "a.jsonl", [sample, {"note": secret, "escaped": secret}])
    io.write_json(tmp_path / "b.json", {"deep": [{"x": f"'{secret}'"}]})
    for name in ("a.jsonl", "b.json"):
        text = (tmp_path / name).read_text()
        assert secret not in text and "***redacted***" in text


def test_a_record_with_a_lone_surrogate_is_written_and_read_back(tmp_path):
    from distill.records import Sample

    sample = Sample("t", 0, "b", "m", raw={"content": "half an emoji \ud83d"})
    io.write_jsonl(tmp_path / "s.jsonl", [sample])
    (back,) = io.read_jsonl(tmp_path / "s.jsonl", Sample)
    assert back == sample


def test_a_run_records_the_commit_it_started_on_not_one_made_while_it_ran(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from distill.recipes import recipe_run

    commits = iter(["aaaaaaa", "bbbbbbb", "ccccccc"])
    monkeypatch.setattr(io, "git_sha", lambda *a: next(commits))
    cfg = OmegaConf.create({"recipe": "tasks", "run_name": "x", "output_dir": str(tmp_path / "run")})
    with recipe_run(cfg):
        pass  # the manifest is written at the start and again at the end
    assert io.read_manifest(tmp_path / "run")["git_sha"] == "aaaaaaa"


def test_a_commit_is_dirty_for_changed_code_not_for_results_or_logs_beside_it(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "distill").mkdir()
    (tmp_path / "distill" / "a.py").write_text("x = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    clean = io.git_sha(tmp_path)
    assert clean is not None and not clean.endswith("-dirty")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "report.md").write_text("# r\n")
    (tmp_path / "run.log").write_text("log\n")
    assert io.git_sha(tmp_path) == clean  # an experiment's own output does not make its commit dirty
    (tmp_path / "distill" / "b.py").write_text("y = 2\n")
    assert io.git_sha(tmp_path) == clean + "-dirty"  # untracked code
    (tmp_path / "distill" / "b.py").unlink()
    git("add", "results")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two")
    clean = io.git_sha(tmp_path)
    (tmp_path / "results" / "report.md").write_text("# r, rewritten by a resumed experiment\n")
    assert io.git_sha(tmp_path) == clean  # nor its tracked report, rewritten after every arm
    (tmp_path / "distill" / "a.py").write_text("x = 2\n")
    assert io.git_sha(tmp_path) == clean + "-dirty"  # a changed tracked file of the code
    git("checkout", "distill/a.py")
    git("mv", "distill/a.py", "a.py")
    assert io.git_sha(tmp_path) == clean + "-dirty"  # code renamed out of the code folders


def test_what_a_reader_derives_from_a_dataset_leaves_no_file_in_its_run_folder(tmp_path):
    from datasets import Dataset

    io.save_dataset(Dataset.from_list([{"x": i} for i in range(20)]), tmp_path / "dataset")
    before = sorted(p.name for p in (tmp_path / "dataset").iterdir())
    dataset = io.load_dataset(tmp_path / "dataset")
    dataset.map(lambda row: {"y": row["x"] * 2}).filter(lambda row: row["y"] > 4).shuffle(seed=0).select(range(3))
    assert sorted(p.name for p in (tmp_path / "dataset").iterdir()) == before  # no cache-*.arrow beside the data
