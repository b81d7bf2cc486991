"""A transformers model folder -> one GGUF file for llama.cpp and Ollama, with llama.cpp's own converter.

The converter (``convert_hf_to_gguf.py``, its ``conversion/`` package and the ``gguf-py`` it is written
against) ships inside the llama-cpp-python sdist that the ``llamacpp`` extra builds from. That sdist is
fetched with ``pip download`` at the pinned version (pip's cache: no second download), checked against
its pinned sha256, and the three pieces are unpacked once into ``$DISTILL_CACHE/llama.cpp-convert/``.
The converter runs as a child process (it is llama.cpp's program, not anything a model or artifact
named), with the vendored ``gguf-py`` first on its path.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from distill.io import file_sha256
from distill.models import cache_dir, publish

LLAMA_CPP_VERSION = "0.3.36"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
OUTTYPES = ("f32", "f16", "bf16", "q8_0", "auto")
"""What the converter writes itself; q8_0 is the smallest that keeps a small model's answers."""
_VENDORED = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/")


class ExportError(RuntimeError):
    """The converter could not be fetched or failed; the message says which and why."""


@dataclass(frozen=True)
class Exported:
    path: Path
    bytes: int
    sha256: str
    seconds: float


def converter_dir() -> Path:
    """The unpacked converter, fetched on first use.

    Raises:
        ExportError: when the sdist cannot be downloaded or its hash differs.
    """
    target = cache_dir() / "llama.cpp-convert" / LLAMA_CPP_VERSION
    if not (target / "convert_hf_to_gguf.py").exists():
        publish(target, _unpack_converter)
    return target


def _unpack_converter(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
                   "-d", tmp, f"llama-cpp-python=={LLAMA_CPP_VERSION}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ExportError(f"pip could not download llama-cpp-python=={LLAMA_CPP_VERSION}'s sdist "
                              f"(it holds the GGUF converter): {done.stderr.strip()[-800:]}")
        (sdist,) = Path(tmp).glob("llama_cpp_python-*.tar.gz")
        digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
        if digest != SDIST_SHA256:
            raise ExportError(f"{sdist.name} has sha256 {digest}, pinned {SDIST_SHA256}")
        prefix = f"llama_cpp_python-{LLAMA_CPP_VERSION}/vendor/llama.cpp/"
        with tarfile.open(sdist) as archive:
            for member in archive.getmembers():
                rel = member.name[len(prefix):] if member.name.startswith(prefix) else None
                if rel and member.isfile() and any(rel == v or rel.startswith(v) for v in _VENDORED):
                    dest = out / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    source = archive.extractfile(member)
                    assert source is not None  # a regular file always has a stream
                    dest.write_bytes(source.read())


def convert(model_dir: Path, out: Path, outtype: str = "q8_0") -> Exported:
    """Write `model_dir` (config.json + safetensors + tokenizer) as the GGUF file `out`, atomically.

    Raises:
        ValueError: for an outtype the converter does not write.
        ExportError: when the converter fails (its last output lines are in the message).
    """
    if outtype not in OUTTYPES:
        raise ValueError(f"outtype={outtype!r}: expected one of {', '.join(OUTTYPES)}")
    tool = converter_dir()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tool / "gguf-py"), str(tool)])}
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(tool / "convert_hf_to_gguf.py"), str(model_dir),
                               "--outfile", str(tmp), "--outtype", outtype],
                              capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0 or not tmp.exists():
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise ExportError(f"llama.cpp's converter failed on {model_dir} (exit {done.returncode}):\n{tail}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return Exported(out, out.stat().st_size, file_sha256(out), round(time.monotonic() - started, 2))
