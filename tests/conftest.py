"""Test-wide settings: no hub access ever (everything a test needs ships in a package or is built here)."""

import os
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tasks runs that pairs/eval make for themselves (no tasks_run given) go to a temporary folder, not outputs/.
os.environ["DISTILL_TASKS_ROOT"] = tempfile.mkdtemp(prefix="distill-tasks-")
