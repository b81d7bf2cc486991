"""teacher.options: each backend reads its keys into a typed record, so a key it does not know is an error."""

from pathlib import Path

import pytest
import yaml

from distill.sampling.base import NoOptions, SamplerConfig, open_sampler, typed_options
from distill.sampling.hf import HFOptions
from distill.sampling.llamacpp import LlamaCppOptions
from distill.sampling.simulated import SimulatedOptions
from distill.sampling.vllm import VLLMOptions
from distill.sampling.vllm_server import ServerOptions

RECORDS = {"simulated": SimulatedOptions, "hf": HFOptions, "vllm": VLLMOptions, "llamacpp": LlamaCppOptions,
           "vllm_server": ServerOptions, "openai": NoOptions, "anthropic": NoOptions}
TEACHERS = sorted((Path(__file__).parents[2] / "conf" / "teacher").glob("*.yaml"))


@pytest.mark.parametrize("backend", sorted(RECORDS))
def test_every_backend_rejects_an_option_it_does_not_know(backend):
    config = SamplerConfig(backend=backend, model="m", base_url="http://127.0.0.1:9/v1", options={"batchsize": 4})
    with pytest.raises(ValueError, match=rf"teacher.options.batchsize: not an option of the {backend} backend"):
        open_sampler(config)


@pytest.mark.parametrize("path", TEACHERS, ids=lambda p: p.stem)
def test_every_teacher_config_sets_only_options_its_backend_reads(path):
    node = yaml.safe_load(path.read_text())
    options = typed_options(RECORDS[node["backend"]], node.get("options") or {}, node["backend"])
    for key, value in (node.get("options") or {}).items():
        assert getattr(options, key) == value


def test_typed_options_carry_the_values_the_sampler_is_built_with():
    sampler = open_sampler(SamplerConfig(backend="hf", model="tiny-random",
                                         options={"batch_size": 3, "tools_in_template": False}))
    assert (sampler.batch_size, sampler.tools_in_template, sampler.dtype) == (3, False, "float32")
    simulated = open_sampler(SamplerConfig(backend="simulated", model="oracle", options={"error_rates": {"prose": 1.0}}))
    assert simulated.error_rates["prose"] == 1.0


@pytest.mark.parametrize("backend", ["hf", "llamacpp"])
def test_fix_template_is_an_option_of_both_local_backends_and_off_by_default(backend):
    assert typed_options(RECORDS[backend], {}, backend).fix_template is False
    assert typed_options(RECORDS[backend], {"fix_template": True}, backend).fix_template is True


def test_fix_template_corrects_the_chat_template_the_hf_sampler_loads(tmp_path, caplog):
    import shutil

    from distill.models import tiny_random_dir

    buggy = tmp_path / "model"
    shutil.copytree(tiny_random_dir(), buggy)
    (buggy / "chat_template.jinja").write_text(
        '{{- "<tool_call>\\n{{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}}\\n</tool_call>" }}')
    shown = {}
    for fix in (False, True):
        sampler = open_sampler(SamplerConfig(backend="hf", model=str(buggy), options={"fix_template": fix}))
        with caplog.at_level("INFO", logger="distill"):
            _, tokenizer = sampler._load()
        shown[fix] = tokenizer.chat_template
    assert '{{\\"name\\"' in shown[False] and '{{\\"name\\"' not in shown[True]
    assert '{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}' in shown[True]
    assert "chat template corrected (qwen2.5 doubled braces)" in caplog.text


def test_fix_template_keys_answers_apart_in_the_response_cache_only_when_set(tmp_path):
    from distill.sampling.cache import CacheConfig, cached_sampler

    cache = CacheConfig(path=str(tmp_path / "c.sqlite"))
    plain = cached_sampler(SamplerConfig(backend="hf", model="tiny-random", options={"batch_size": 2}), cache)
    fixed = cached_sampler(SamplerConfig(backend="hf", model="tiny-random",
                                         options={"batch_size": 2, "fix_template": True}), cache)
    assert plain.identity != fixed.identity and "fix_template" not in plain.identity
