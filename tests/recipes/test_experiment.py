"""`make experiment`: both arms of granular_vs_umbrella through pairs -> dpo -> eval, one report."""

from omegaconf import open_dict

from distill import io
from distill.recipes import compose_config
from distill.recipes.experiment import run


def test_experiment_options_compose_with_their_arms():
    assert set(compose_config("experiment").experiment.arms) == {"granular", "umbrella"}
    assert set(compose_config("experiment", ["experiment=sft_vs_dpo"]).experiment.arms) == {"sft", "dpo", "sft_dpo"}


def test_granular_vs_umbrella_runs_both_arms_at_the_same_budget_into_one_report(tmp_path):
    cfg = compose_config("experiment", [f"output_dir={tmp_path}/experiment/gvu"])
    with open_dict(cfg):
        cfg.experiment.common.pairs = ["tasks.total=90", f"cache.path={tmp_path}/c.sqlite"]
        cfg.experiment.common.dpo = ["student=tiny-random", "max_pairs=4", "sft_examples=4", "max_pair_tokens=null",
                                     "eval.per_subtask=1",
                                     "eval.max_tokens=4", "dpo.args.per_device_train_batch_size=4"]
        cfg.experiment.common.eval = ["student=tiny-random", "limit_per_subtask=1", "sampling.max_tokens=4"]
    report = run(cfg)
    text = report.read_text()
    for arm in ("base", "granular", "umbrella"):
        assert f"granular_vs_umbrella-{arm}" in text
    granular = io.read_manifest(tmp_path / "dpo" / "granular_vs_umbrella-granular")
    umbrella = io.read_manifest(tmp_path / "dpo" / "granular_vs_umbrella-umbrella")
    assert granular["counts"]["pairs"] == umbrella["counts"]["pairs"] == 4
    findings = text.split("## Accuracy per sub-task")[0]
    assert "**granular_vs_umbrella-umbrella: tiny-random+granular_vs_umbrella-umbrella** vs " \
           "**granular_vs_umbrella-granular: tiny-random+granular_vs_umbrella-granular**" in findings
