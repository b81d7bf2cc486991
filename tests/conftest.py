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
def make_tasks():
    """Generate tasks of the granular mixture, each (total, seed, splits, sub-tasks) once per session.

    Tasks are frozen records, so tests share them; each file asks for the size and split it needs.
    ``splits`` defaults to the mixture's (80/10/10), ``subtasks`` to all nine at equal weight.
    """
    from distill.records import SUBTASKS
    from distill.tasks.mixture import Mixture

    made: dict[tuple, tuple] = {}

    def make(total: int, seed: int = 0, splits: dict[str, float] | None = None,
             subtasks: tuple[str, ...] = SUBTASKS) -> list:
        key = (total, seed, tuple((splits or {}).items()), tuple(subtasks))
        if key not in made:
            mixture = Mixture("granular", dict.fromkeys(subtasks, 1.0), total=total, **({"splits": splits} if splits else {}))
            made[key] = tuple(mixture.generate(seed=seed))
        return list(made[key])

    return make


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
