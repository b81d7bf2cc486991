"""Student resolution: the embedded SmolLM2 (real model), tiny-random, and clear offline errors."""

import pytest
import torch

from distill.models import StudentSpec, StudentUnavailable, load_student, resolve_student


@pytest.mark.real_model
def test_embedded_student_loads_from_cache_and_generates():
    model, tokenizer = load_student(StudentSpec("smollm2-135m", "embedded"))
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(134.5e6, rel=0.01)
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "Say hello."}], add_generation_prompt=True,
                                        return_tensors="pt", return_dict=True)
    out = model.generate(**ids, max_new_tokens=5, do_sample=False)
    new = out[0, ids["input_ids"].shape[1]:]
    assert 1 <= len(new) <= 5
    assert tokenizer.decode(new, skip_special_tokens=True).strip()


def test_tiny_random_builds_and_runs_a_forward_pass():
    model, tokenizer = load_student("tiny-random")
    assert model.config.num_hidden_layers == 2
    batch = tokenizer(["hello world"], return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
    assert logits.shape == (1, batch["input_ids"].shape[1], len(tokenizer))
    assert torch.isfinite(logits).all()


def test_hub_id_offline_fails_with_a_clear_message():
    with pytest.raises(StudentUnavailable, match="needs network or a local path"):
        resolve_student("HuggingFaceTB/SmolLM2-360M-Instruct")


def test_local_folder_without_config_is_rejected(tmp_path):
    with pytest.raises(StudentUnavailable, match="config.json"):
        resolve_student(str(tmp_path))


def test_gguf_sources_resolve_to_a_file_and_the_tokenizer_beside_it(tmp_path):
    from distill.models import embedded_gguf, embedded_student_dir, resolve_gguf

    assert resolve_gguf("embedded") == (embedded_gguf(), embedded_student_dir())
    bare = tmp_path / "bare" / "m.gguf"
    bare.parent.mkdir()
    bare.write_bytes(b"GGUF")
    assert resolve_gguf(str(bare)) == (bare, None)  # the tokenizer is then read from the file
    (bare.parent / "tokenizer_config.json").write_text("{}")
    assert resolve_gguf(str(bare)) == (bare, bare.parent)  # `make export` saves it beside the file
    with pytest.raises(StudentUnavailable, match="not a GGUF file"):
        resolve_gguf(str(tmp_path / "missing.gguf"))


def test_a_student_with_an_unknown_call_format_is_refused_naming_the_key():
    with pytest.raises(ValueError, match="student.call_format='xml': expected one of template, json"):
        StudentSpec("tiny-random", "tiny-random", call_format="xml")
