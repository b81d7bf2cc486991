"""Every key a recipe's composed config holds is consumed by something: a constructor parameter of the
node's ``_target_``, a TRL config field, a sub-task name, or a key the recipe's own code reads. A key
that nothing reads is a setting a user can change to no effect; this test names it.

Composed for every recipe with each option of every config group it uses, so a key that only one
teacher, student or dpo variant adds is checked too.
"""

import functools
import inspect
import re
from pathlib import Path

import pytest
from hydra.utils import get_object
from omegaconf import DictConfig, OmegaConf

from distill.experiment import ExperimentSpec
from distill.recipes import CONF_DIR, RECIPES, compose_config
from distill.records import SUBTASKS

ROOT = Path(__file__).resolve().parents[1]
RECIPE_DIR = ROOT / "distill" / "recipes"
SHARED = (RECIPE_DIR / "__init__.py").read_text()  # run.yaml's keys: output_dir, run_name, seed, tasks_root
MAPPINGS = {"subtask_weights": SUBTASKS}  # plain mappings whose keys are data, not settings
FIELDS_OF = {"dpo.sft": "trl.SFTConfig"}  # plain nodes passed whole as a config's keyword arguments


def _options(recipe):
    """Overrides choosing each option of each group the recipe composes (one at a time)."""
    groups = [g for g in compose_config(recipe) if (Path(CONF_DIR) / str(g)).is_dir()]
    return [[]] + [[f"{g}={p.stem}"] for g in groups for p in sorted((Path(CONF_DIR) / str(g)).glob("*.yaml"))]


@functools.cache
def _parameters(target):
    params = inspect.signature(get_object(target)).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None  # takes anything: nothing to check here
    return set(params)


def unconsumed(cfg: DictConfig, source: str, path: str = "") -> list[str]:
    """Dotted paths of keys under `cfg` that nothing consumes."""
    missing = []
    for key in cfg:
        key = str(key)
        dotted = f"{path}.{key}" if path else key
        node = cfg._get_node(key)
        if key == "_target_":
            continue
        if isinstance(node, DictConfig) and "_target_" in node:
            accepted = _parameters(node["_target_"])
            missing += [f"{dotted}.{k}" for k in node if k != "_target_" and accepted is not None
                        and k not in accepted]
        elif dotted in MAPPINGS:
            missing += [f"{dotted}.{k}" for k in node if k not in MAPPINGS[dotted]]
        elif dotted in FIELDS_OF:
            accepted = _parameters(FIELDS_OF[dotted])
            missing += [f"{dotted}.{k}" for k in node if k not in accepted]
        elif not re.search(rf"[.'\"]{re.escape(key)}\b", source):
            missing.append(dotted)
        elif isinstance(node, DictConfig) and dotted != "experiment":  # experiment: checked by its parser
            missing += unconsumed(node, source, dotted)
    return missing


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_composed_key_is_consumed(recipe):
    from hydra import initialize_config_dir

    source = (RECIPE_DIR / f"{recipe}.py").read_text() + SHARED
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):  # once, not per composition
        for overrides in _options(recipe):
            cfg = compose_config(recipe, overrides)
            assert unconsumed(cfg, source) == [], f"{recipe} {overrides}: keys nothing reads"


def test_an_unread_key_is_named():
    source = (RECIPE_DIR / "dpo.py").read_text() + SHARED
    cfg = compose_config("dpo")
    OmegaConf.set_struct(cfg, False)
    cfg.eval.spare_knob = 1
    cfg.subtask_weights.no_such_subtask = 1.0
    cfg.dpo.sft.no_such_field = 1
    cfg.dpo.peft.no_such_lora_field = 1
    assert sorted(unconsumed(cfg, source)) == ["dpo.peft.no_such_lora_field", "dpo.sft.no_such_field",
                                               "eval.spare_knob", "subtask_weights.no_such_subtask"]


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(CONF_DIR) / "experiment").glob("*.yaml")))
def test_every_experiment_config_parses_with_no_unknown_key(name):
    node = OmegaConf.to_container(compose_config("experiment", [f"experiment={name}"]).experiment, resolve=True)
    assert ExperimentSpec.from_config(node).name == name
