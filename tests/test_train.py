"""Pair selection for short runs (`distill.train.stratified`): shares per sub-task, weights, budgets."""

from collections import Counter

import pytest
from datasets import Dataset

from distill.train import stratified

SUBTASKS = ["simple", "parallel", "irrelevance", "response_generation"]


def _pairs(per_subtask: dict[str, int]) -> Dataset:
    rows = [(s, i) for s, n in per_subtask.items() for i in range(n)]
    return Dataset.from_dict({"subtask": [s for s, _ in rows], "i": [i for _, i in rows]})


def test_an_even_selection_gives_every_subtask_the_same_share():
    picked = stratified(_pairs(dict.fromkeys(SUBTASKS, 50)), 40, seed=0)
    assert Counter(picked["subtask"]) == dict.fromkeys(SUBTASKS, 10)


def test_weights_set_each_subtasks_share_and_zero_leaves_one_out():
    weights = {"irrelevance": 2.0, "response_generation": 2.0, "parallel": 0}
    picked = stratified(_pairs(dict.fromkeys(SUBTASKS, 50)), 50, seed=0, weights=weights)
    assert Counter(picked["subtask"]) == {"simple": 10, "irrelevance": 20, "response_generation": 20}


def test_a_subtask_with_too_few_pairs_hands_its_share_to_the_others():
    picked = stratified(_pairs({"simple": 50, "parallel": 50, "irrelevance": 3}), 30, seed=0,
                        weights={"irrelevance": 2.0})
    counts = Counter(picked["subtask"])
    assert len(picked) == 30 and counts["irrelevance"] == 3 and counts["simple"] + counts["parallel"] == 27


def test_rows_over_the_budget_are_skipped_and_the_selection_is_seeded():
    data = _pairs(dict.fromkeys(SUBTASKS, 20))
    fits = lambda row: row["i"] % 2 == 0  # noqa: E731
    first = stratified(data, 16, seed=3, fits=fits)
    assert all(i % 2 == 0 for i in first["i"]) and len(first) == 16
    assert first["i"] == stratified(data, 16, seed=3, fits=fits)["i"]
    assert first["i"] != stratified(data, 16, seed=4, fits=fits)["i"]


def test_saving_a_merged_student_leaves_the_adapter_in_training(tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill.models import tiny_random_dir
    from distill.train import save_student

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_random_dir()),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    save_student(model, AutoTokenizer.from_pretrained(tiny_random_dir()), tmp_path / "model", merge=True)
    assert (tmp_path / "model" / "config.json").exists() and not (tmp_path / "model" / "adapter_config.json").exists()
    assert [n for n, p in model.named_parameters() if p.requires_grad] == trainable  # the adapter is still there
    loss = model(input_ids=torch.tensor([[1, 2, 3]]), labels=torch.tensor([[1, 2, 3]])).loss
    loss.backward()  # and still trains


def test_scoring_only_the_answer_positions_gives_the_same_log_probs_and_gradients():
    import torch
    from transformers import AutoModelForCausalLM
    from trl.trainer import utils as trl_utils
    from trl.trainer.utils import add_fused_lm_head

    from distill.models import tiny_random_dir
    from distill.train import completion_positions_only

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_random_dir())
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    ids = torch.randint(5, 100, (2, 12))
    labels = ids.masked_fill(torch.arange(12) < 8, -100)  # an 8-token prompt, a 4-token answer

    def score() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        model.zero_grad()
        out = model(input_ids=ids, labels=labels, fused_lm_head=True)
        out.log_probs.sum().backward()
        grad = model.get_input_embeddings().weight.grad.clone()
        return out.log_probs.detach(), out.entropy.detach(), grad

    original = trl_utils._use_triton
    every_position = score()
    with completion_positions_only():
        assert trl_utils._use_triton(torch.device("cpu"))
        answer_only = score()
    assert trl_utils._use_triton is original
    assert (every_position[0][:, :7] == 0).all()  # prompt positions are masked either way
    for full, compact in zip(every_position, answer_only, strict=True):
        torch.testing.assert_close(compact, full)


def test_lora_on_the_top_layers_adapts_only_those_and_the_backward_stops_below_them():
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from distill.models import tiny_random_dir
    from distill.train import lora_on_top_layers

    base = AutoModelForCausalLM.from_pretrained(tiny_random_dir())
    layers = base.config.num_hidden_layers
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    narrowed = lora_on_top_layers(config, layers, 0.5)
    top = list(range(layers - max(1, round(layers * 0.5)), layers))
    assert narrowed.layers_to_transform == top and config.layers_to_transform is None  # a copy
    model = get_peft_model(base, narrowed)
    adapted = {int(n.split(".layers.")[1].split(".")[0]) for n, _ in model.named_parameters() if "lora_" in n}
    assert adapted == set(top)
    hidden: list[torch.Tensor] = []
    below = model.base_model.model.model.layers[top[0] - 1]  # the layer just under the adapted ones
    below.register_forward_hook(lambda module, args, out: hidden.append(out[0] if isinstance(out, tuple) else out))
    model(input_ids=torch.tensor([[1, 2, 3]]), labels=torch.tensor([[1, 2, 3]])).loss.backward()
    assert hidden and all(not h.requires_grad for h in hidden)  # nothing below the adapted layers is backpropagated
    assert lora_on_top_layers(config, layers, None) is config and lora_on_top_layers(config, layers, 1) is config
    assert lora_on_top_layers(None, layers, 0.5) is None
    with pytest.raises(ValueError, match="dpo.top_layers"):
        lora_on_top_layers(config, layers, 0.0)
    with pytest.raises(ValueError, match="dpo.top_layers"):
        lora_on_top_layers(config, layers, "half")
