"""`make export` on a LoRA adapter checkpoint: the adapter is merged into the base student first.

The converter itself (transformers folder -> GGUF) has its round-trip test in tests/sampling/test_llamacpp.py;
here the part `make export` adds: which weights reach it.
"""

import pytest
import torch

from distill.models import StudentSpec, tiny_random_dir
from distill.recipes.export import _model_folder

TINY = StudentSpec(name="tiny-random", model="tiny-random")


@pytest.fixture(scope="module")
def adapter(tmp_path_factory):
    """A LoRA adapter on tiny-random whose B matrices are non-zero, so merging it changes the model."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("dpo") / "model"
    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_random_dir()),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(tiny_random_dir()).save_pretrained(folder)
    return folder


def _logits(folder):
    from transformers import AutoModelForCausalLM

    with torch.no_grad():
        return AutoModelForCausalLM.from_pretrained(folder)(torch.tensor([[1, 2, 3, 4]])).logits


def test_an_adapter_checkpoint_is_converted_merged_into_its_base_student(adapter, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    folder = _model_folder(TINY, adapter, tmp_path / "merged")
    assert folder == tmp_path / "merged" and (folder / "config.json").exists()
    assert not (folder / "adapter_config.json").exists()
    expected = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_random_dir()), adapter)
    with torch.no_grad():
        expected_logits = expected.merge_and_unload()(torch.tensor([[1, 2, 3, 4]])).logits
    assert torch.allclose(_logits(folder), expected_logits, atol=1e-5)
    assert not torch.allclose(_logits(folder), _logits(tiny_random_dir()))


def test_a_merged_checkpoint_and_the_base_student_are_converted_as_they_are(tmp_path):
    assert _model_folder(TINY, None, tmp_path / "merged") == tiny_random_dir()
    assert _model_folder(TINY, tiny_random_dir(), tmp_path / "merged") == tiny_random_dir()
    assert not (tmp_path / "merged").exists()


def test_a_folder_without_a_model_is_a_clear_error(tmp_path):
    (tmp_path / "model").mkdir()
    with pytest.raises(FileNotFoundError, match=r"checkpoint=.*model holds no adapter_config.json or config.json"):
        _model_folder(TINY, tmp_path / "model", tmp_path / "merged")
