"""Bad input gets a clear error and loses nothing: dead endpoints, broken settings, unfinished or
damaged run folders, folders that are not models, and secrets that servers echo back."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from distill import io
from distill.recipes import build, compose_config
from distill.recipes import dpo as dpo_recipe
from distill.recipes import eval as eval_recipe
from distill.recipes import pairs as pairs_recipe
from distill.sampling.base import open_sampler
from distill.sampling.cache import RequestsFailed
from distill.sampling.loopback import FaultPlan, LoopbackServer
from distill.tasks.bfcl import bfcl_data_dir, load_category

KEY = "sk-test-SECRET-echoed-0123456789"
TINY = ["student=tiny-random", "max_pairs=8", "max_pair_tokens=null", "eval.per_subtask=0",
        "dpo.args.per_device_train_batch_size=4", "sft_warmup=false"]


@pytest.fixture
def rejecting_server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = LoopbackServer(FaultPlan(reject_key=True))
    server.start()
    yield server
    server.stop()


def _copy(run: Path, tmp_path: Path) -> Path:
    shutil.copytree(run, tmp_path / "copy")
    return tmp_path / "copy"


def _files_holding(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def _teacher(server: LoopbackServer, tmp_path: Path) -> list[str]:
    return ["target=teacher", "teacher=openai", f"teacher.base_url={server.base_url}/v1", "+teacher.max_retries=0",
            f"cache.path={tmp_path}/c.sqlite"]


def test_a_dead_api_fails_the_eval_run_and_its_echoed_key_is_in_no_file(rejecting_server, tmp_path, caplog):
    cfg = compose_config("eval", [*_teacher(rejecting_server, tmp_path), "limit_per_subtask=2",
                                  f"output_dir={tmp_path}/eval"])
    with pytest.raises(RequestsFailed, match=r"18 of 18 requests to openai:gpt-4\.1-mini at http://127") as error:
        eval_recipe.run(cfg)
    assert "Incorrect API key" in str(error.value) and KEY not in str(error.value)
    assert io.read_manifest(tmp_path / "eval", finished=False)["status"] == "failed"
    assert not _files_holding(tmp_path, KEY)  # the cache's failures table, the manifest: redacted
    assert KEY not in caplog.text


def test_a_dead_api_fails_the_pairs_run_instead_of_building_pairs_from_gold(rejecting_server, tmp_path):
    cfg = compose_config("pairs", [*_teacher(rejecting_server, tmp_path)[1:], "tasks.total=90", "max_tasks=9",
                                   f"output_dir={tmp_path}/pairs"])
    with pytest.raises(RequestsFailed, match="requests to openai"):
        pairs_recipe.run(cfg)
    assert not (tmp_path / "pairs" / "pairs.jsonl").exists()
    assert not _files_holding(tmp_path, KEY)


@pytest.mark.parametrize(("override", "named"), [
    ("verify.format=xml", "verify.format='xml'"),
    ("verify.timeout_s=-1", "verify.timeout_s=-1"),
    ("sampling.n=-1", "sampling.n=-1"),
    ("pairs.splits=[bogus]", "pairs.splits=['bogus']"),
])
def test_a_setting_out_of_range_is_an_error_naming_its_key(override, named):
    cfg = compose_config("pairs", [override])
    node = cfg[override.split(".")[0]]
    with pytest.raises(Exception, match=named.replace("[", r"\[").replace("]", r"\]")):
        build(node)


def test_simulated_error_rates_must_be_probabilities():
    config = build(compose_config("pairs", ["teacher.options.error_rates.wrong_value=5"]).teacher)
    with pytest.raises(ValueError, match=r"teacher.options.error_rates.wrong_value=5"):
        open_sampler(config)


def test_dpo_refuses_a_pairs_run_that_did_not_finish(pairs_run, tmp_path, monkeypatch):
    run = _copy(pairs_run, tmp_path)
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))  # as kill -9 leaves it
    monkeypatch.setattr(dpo_recipe, "load_student", lambda *a: pytest.fail("loaded a model for a bad pairs run"))
    with pytest.raises(io.RunNotFinished, match="status 'running'"):
        dpo_recipe.run(compose_config("dpo", [f"output_dir={tmp_path}/dpo", f"pairs_run={run}", *TINY]))


def test_a_damaged_pairs_dataset_is_named_before_any_model_loads(pairs_run, tmp_path, monkeypatch):
    run = _copy(pairs_run, tmp_path)
    (arrow,) = (run / "dataset").glob("*.arrow")
    arrow.write_bytes(arrow.read_bytes()[: arrow.stat().st_size // 2])
    monkeypatch.setattr(dpo_recipe, "load_student", lambda *a: pytest.fail("loaded a model for a bad pairs run"))
    with pytest.raises(ValueError, match=f"{run / 'dataset'}: the dataset there cannot be read"):
        dpo_recipe.run(compose_config("dpo", [f"output_dir={tmp_path}/dpo", f"pairs_run={run}", *TINY]))


def test_dpo_never_instantiates_code_named_in_a_pairs_manifest(pairs_run, tmp_path):
    run, marker = _copy(pairs_run, tmp_path), tmp_path / "pwned"
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["config"]["tasks"] = {"_target_": "os.mkdir", "_args_": [str(marker)]}  # a crafted folder
    (run / "manifest.json").write_text(json.dumps(manifest))
    dpo_recipe.run(compose_config("dpo", [f"output_dir={tmp_path}/dpo", f"pairs_run={run}", *TINY]))
    assert not marker.exists()
    assert (tmp_path / "dpo" / "model" / "adapter_config.json").exists()  # it trained on the run's tasks.jsonl


@pytest.mark.parametrize(("contents", "lacks"), [
    ({}, "no adapter_config.json or config.json"),
    ({"config.json": "{}"}, "no tokenizer"),
    ({"config.json": "{}", "tokenizer.json": "{}"}, "no weights"),
])
def test_a_checkpoint_folder_that_is_not_a_model_is_refused_before_loading(tmp_path, monkeypatch, contents, lacks):
    folder = tmp_path / "model"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text)
    monkeypatch.setattr(eval_recipe, "load_student", lambda *a: pytest.fail("loaded the base model first"))
    with pytest.raises(FileNotFoundError, match=f"checkpoint={folder} holds {lacks}"):
        eval_recipe.run(compose_config("eval", [f"checkpoint={folder}", f"output_dir={tmp_path}/eval"]))


def test_a_truncated_bfcl_file_names_the_file_and_line(tmp_path):
    data = tmp_path / "bfcl"
    shutil.copytree(bfcl_data_dir(), data)
    path = data / "BFCL_v4_simple_python.json"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:3] + [lines[3][: len(lines[3]) // 2]]) + "\n")
    with pytest.raises(ValueError, match=rf"{path}:4: not a JSON line"):
        list(load_category("simple_python", data))


def test_a_missing_api_key_names_the_variable_and_leaves_no_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    out = subprocess.run([sys.executable, "-m", "distill.cli", "eval", "target=teacher", "teacher=openai",
                          f"hydra.run.dir={tmp_path}/eval"], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode != 0
    assert "OPENAI_API_KEY" in out.stderr
    assert not (tmp_path / "eval").exists()
