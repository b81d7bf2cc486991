"""Test-wide settings: no hub access ever (everything a test needs ships in a package or is built here),
and the fixtures several test files share."""

import os
import shutil
import tempfile

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tasks runs that pairs/eval make for themselves (no tasks_run given) go to a temporary folder, not outputs/.
os.environ["DISTILL_TASKS_ROOT"] = tempfile.mkdtemp(prefix="distill-tasks-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ["DISTILL_TASKS_ROOT"], ignore_errors=True)


@pytest.fixture(scope="session")
def sandbox():
    """One verifier sandbox (two workers) for the whole session: tests that verify answers share it."""
    from distill.verify.sandbox import Sandbox

    with Sandbox(workers=2) as box:
        yield box


@pytest.fixture(scope="session")
def pairs_run(tmp_path_factory):
    """A finished `make pairs` run on 180 tasks (simulated teacher), read-only: a test that damages it
    works on a copy."""
    from distill.recipes import compose_config
    from distill.recipes.pairs import run

    tmp = tmp_path_factory.mktemp("pairs")
    run(compose_config("pairs", [f"output_dir={tmp}/run", f"cache.path={tmp}/c.sqlite", "tasks.total=180"]))
    return tmp / "run"
