"""distill: teach small language models function calling by distilling a large teacher through
per-sub-task preference optimization.

Kept import-light on purpose: torch, transformers and TRL load only where a stage needs them.
"""

__version__ = "0.1.0"
