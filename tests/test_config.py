"""Every primary config composes and every config-group option instantiates."""

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from distill.recipes import CONF_DIR, RECIPES, build, compose_config

NOT_HYDRA = {"accelerate"}  # read by `accelerate launch`, not composed by Hydra
GROUPS = sorted(p.name for p in Path(CONF_DIR).iterdir() if p.is_dir() and p.name not in NOT_HYDRA)
OPTIONS = [(g, p.stem) for g in GROUPS for p in sorted((Path(CONF_DIR) / g).glob("*.yaml"))]
MANDATORY = {  # options with a `???` value: the user names their tools
    ("tools", "python"): ["tools.module=examples/python/garden.py"],
    ("tools", "schemas"): ["tools.path=tests/assets/tools/openai_tools.json"],
    ("tools", "openapi"): ["tools.spec=examples/openapi/library.yaml"],
    ("tools", "mcp"): ["tools.command=[python,examples/mcp/server.py]"],
}


@pytest.mark.parametrize("recipe", RECIPES)
def test_primary_config_composes_and_resolves(recipe):
    cfg = compose_config(recipe)
    assert cfg.recipe == recipe
    assert cfg.output_dir == f"outputs/{recipe}/{cfg.run_name}"
    OmegaConf.to_container(cfg, resolve=True)


def test_every_config_starts_with_a_comment_naming_its_use():
    for path in Path(CONF_DIR).rglob("*.yaml"):
        assert path.read_text().startswith("#"), path


def test_expected_groups_exist():
    assert {"teacher", "student", "tasks", "dpo", "memory"} <= set(GROUPS)
    teachers = {option for group, option in OPTIONS if group == "teacher"}
    assert {"simulated", "openai", "anthropic", "vllm", "vllm_server", "hf"} <= teachers


@pytest.mark.parametrize(("group", "option"), OPTIONS)
def test_group_option_instantiates(group, option):
    recipe = next(r for r in RECIPES if group in compose_config(r))
    cfg = compose_config(recipe, [f"{group}={option}", *MANDATORY.get((group, option), [])])
    if group == "dpo":  # built the way the recipe builds it: device defaults first, then TRL's configs
        from trl import DPOConfig, SFTConfig

        from distill.recipes.dpo import training_arguments

        dpo_args, sft_args, _ = training_arguments(cfg.dpo)
        assert DPOConfig(output_dir="x", **dpo_args).bf16 is False  # this CPU: bf16 off
        SFTConfig(output_dir="x", **sft_args)
        return
    if "_target_" not in cfg[group]:  # a plain group (experiment): composing it was the check
        return
    from hydra.utils import get_object

    assert isinstance(build(cfg[group]), get_object(cfg[group]["_target_"]))


def test_run_name_override_moves_the_output_dir():
    assert compose_config("pairs", ["run_name=x"]).output_dir == "outputs/pairs/x"


def test_broken_override_names_the_key():
    from hydra.errors import ConfigCompositionException

    with pytest.raises(ConfigCompositionException, match="teacher"):
        compose_config("pairs", ["teacher=nonexistent"])


@pytest.mark.parametrize("option", [o for g, o in OPTIONS if g == "teacher"])
def test_teacher_options_are_options_of_their_backend(option):
    from distill.local_models import WHEEL_MODELS
    from distill.sampling.base import typed_options
    from distill.sampling.llamacpp import LlamaCppOptions
    from distill.sampling.vllm_server import ServerOptions

    config = build(compose_config("pairs", [f"teacher={option}"]).teacher)
    records = {"llamacpp": LlamaCppOptions, "vllm_server": ServerOptions}
    if config.backend in records:
        typed_options(records[config.backend], config.options, config.backend)
    if config.backend == "llamacpp":
        assert config.model == "embedded" or config.model in WHEEL_MODELS


@pytest.mark.parametrize(("group", "option"), sorted(MANDATORY))
def test_a_missing_mandatory_value_names_its_key(group, option):
    cfg = compose_config("tasks", [f"{group}={option}"])
    key = MANDATORY[(group, option)][0].split("=")[0]
    with pytest.raises(Exception, match=key.replace(".", r"\.")):
        build(cfg[group])
