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
    assert "torch" in manifest["versions"] and "git_sha" in manifest


def test_reading_a_folder_without_a_run_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no run"):
        io.read_manifest(tmp_path)
