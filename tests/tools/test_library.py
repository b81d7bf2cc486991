"""Properties every tool, intent, composition and fallback of the library must have."""

import random
import re
import string

import jsonschema
import pytest

from distill.tools import DOMAINS, call_tool, registry, reset_state, tool_schema
from distill.tools.base import render
from distill.verify.values import leaves

SAMPLES_PER_INTENT = 25


def _placeholders(template: str) -> set[str]:
    return {name.split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _specs():
    return sorted(registry().tools.values(), key=lambda s: s.name)


def test_library_has_at_least_60_tools_in_10_domains():
    specs = _specs()
    assert len(specs) >= 60
    assert len({s.domain for s in specs}) >= 10
    assert {s.domain for s in specs} <= set(DOMAINS)


@pytest.mark.parametrize("name", [s.name for s in _specs()])
def test_every_intent_sample_validates_executes_and_renders(name):
    spec = registry().tools[name]
    schema = tool_schema(name).parameters
    validator = jsonschema.Draft202012Validator(schema)
    assert spec.intents, f"{name} has no intent"
    for intent in spec.intents:
        assert len(set(intent.templates)) >= 8
        for i in range(SAMPLES_PER_INTENT):
            args = intent.sample(random.Random(i))
            validator.validate(args)
            assert set(schema.get("required", [])) <= set(args), f"{name}: sample misses a required argument"
            reset_state()
            result = call_tool(name, args)
            assert result is not None
            for template in intent.templates:
                assert _placeholders(template) == set(args), f"{name}: {template!r} vs {sorted(args)}"
                render(template, args)


def test_schemas_use_enums_arrays_objects_and_defaults():
    props = [p for s in _specs() for p in tool_schema(s.name).parameters["properties"].values()]
    assert any("enum" in p for p in props)
    assert any(p.get("type") == "array" for p in props)
    assert any(p.get("type") == "object" for p in props)
    params = [tool_schema(s.name).parameters for s in _specs()]
    assert any(set(p["properties"]) - set(p.get("required", [])) for p in params)


def test_tools_are_deterministic():
    for spec in _specs():
        args = spec.intents[0].sample(random.Random(7))
        reset_state()
        first = call_tool(spec.name, args)
        reset_state()
        assert call_tool(spec.name, args) == first, spec.name


@pytest.mark.parametrize("index", range(len(registry().compositions)))
def test_compositions_feed_first_result_into_second(index):
    comp = registry().compositions[index]
    tools = registry().tools
    assert comp.first in tools and comp.second in tools
    second_schema = tool_schema(comp.second).parameters
    assert comp.param in second_schema["properties"]
    for i in range(SAMPLES_PER_INTENT):
        a, b = comp.sample(random.Random(i))
        reset_state()
        result = call_tool(comp.first, a)
        value = result if comp.key is None else result[comp.key]
        args = {**b, comp.param: value}
        jsonschema.Draft202012Validator(second_schema).validate(args)
        assert call_tool(comp.second, args) is not None
        for template in comp.templates:
            names = {m.group(1) + "." + m.group(2) for m in re.finditer(r"\{([ab])\[(\w+)\]", template)}
            assert names == {f"a.{k}" for k in a} | {f"b.{k}" for k in b}, template
            render(template, {"a": a, "b": b})


@pytest.mark.parametrize("index", range(len(registry().fallbacks)))
def test_fallbacks_answer_the_primary_request(index):
    fb = registry().fallbacks[index]
    primary = registry().tools[fb.primary]
    alt_schema = jsonschema.Draft202012Validator(tool_schema(fb.alternative).parameters)
    for i in range(SAMPLES_PER_INTENT):
        args = primary.intents[0].sample(random.Random(i))
        alt_args = fb.convert(args)
        alt_schema.validate(alt_args)
        reset_state()
        assert call_tool(fb.alternative, alt_args) is not None


def _states(text, value):
    if isinstance(value, bool):
        return True  # flags are phrased ("inclusive", "yes"), not written as values
    if isinstance(value, int | float):
        return any(abs(float(n) - abs(value)) <= 1e-9 * max(1.0, abs(value)) for n in re.findall(r"\d+(?:\.\d+)?", text))
    return str(value).lower() in text.lower()


def test_every_rendered_request_states_every_sampled_value():
    """A request that does not state a gold value would make the gold unguessable."""
    for spec in _specs():
        for intent in spec.intents:
            for i in range(10):
                args = intent.sample(random.Random(i))
                for template in intent.templates:
                    text = render(template, args)
                    assert all(_states(text, v) for v in leaves(args)), (spec.name, text, args)
    for comp in registry().compositions:
        for i in range(10):
            a, b = comp.sample(random.Random(i))
            for template in comp.templates:
                text = render(template, {"a": a, "b": b})
                assert all(_states(text, v) for v in [*leaves(a), *leaves(b)]), (comp.second, text)
