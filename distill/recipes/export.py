"""`make export`: a trained student -> outputs/export/<run_name>/model.gguf (llama.cpp / Ollama).

A LoRA adapter checkpoint is merged into its base student first; a merged checkpoint or the base
student (``checkpoint=null``) is converted as it is. The tokenizer is saved beside the GGUF, so the
llamacpp backend renders prompts with the very template the student was trained on.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from distill.export import convert
from distill.models import StudentSpec, check_checkpoint, load_checkpoint, load_student, resolve_student
from distill.recipes import CONF_DIR, build, launch, recipe_run


def run(cfg: DictConfig) -> dict[str, Any]:
    """Export the configured checkpoint; returns what was written (path, bytes, sha256, seconds)."""
    spec: StudentSpec = build(cfg.student)
    with recipe_run(cfg) as ctx:
        merged = ctx.dir / ".merged"
        try:
            folder = _model_folder(spec, Path(cfg.checkpoint) if cfg.checkpoint else None, merged)
            exported = convert(folder, ctx.dir / "model.gguf", cfg.outtype)
            from transformers import AutoTokenizer

            AutoTokenizer.from_pretrained(folder).save_pretrained(ctx.dir)
        finally:
            shutil.rmtree(merged, ignore_errors=True)
        facts = {"path": str(exported.path), "bytes": exported.bytes, "sha256": exported.sha256,
                 "outtype": cfg.outtype, "convert_seconds": exported.seconds, "source": str(folder)}
        ctx.extra["gguf"] = facts
    print(f"{exported.path}: {exported.bytes / 1e6:.1f} MB ({cfg.outtype}) in {exported.seconds:.1f} s. On llama.cpp:\n"
          f"  distill eval target=teacher teacher=llamacpp teacher.model={exported.path}")
    return facts


def _model_folder(spec: StudentSpec, checkpoint: Path | None, scratch: Path) -> Path:
    """The transformers folder to convert: a merged checkpoint as is, an adapter merged into `scratch`.

    Raises:
        FileNotFoundError: naming the checkpoint, when it holds no model.
    """
    if checkpoint is None:
        return resolve_student(spec)
    check_checkpoint(checkpoint)
    if (checkpoint / "config.json").exists() and not (checkpoint / "adapter_config.json").exists():
        return checkpoint
    model, tokenizer, _ = load_checkpoint(load_student(spec)[0], checkpoint, spec)
    model.save_pretrained(scratch)
    tokenizer.save_pretrained(scratch)
    return scratch


@hydra.main(config_path=CONF_DIR, config_name="export", version_base="1.3")
def main(cfg: DictConfig) -> None:
    launch(run, cfg)


if __name__ == "__main__":
    main()
