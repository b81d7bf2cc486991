"""`make pairs` on its default configuration (granular mixture, 2,000 train tasks, n=4, simulated
teacher), from an empty cache: tasks, teacher samples, verification, corruptions, datasets on disk.

Last line: `pairs/s: N, seconds: S`. Goal (issue 6): S <= 60 on 2 cores.
"""

from __future__ import annotations

import tempfile
import time

from distill.recipes import compose_config
from distill.recipes.pairs import run


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose_config("pairs", [f"output_dir={tmp}/run", f"cache.path={tmp}/cache.sqlite"])
        start = time.perf_counter()
        stats = run(cfg)
        seconds = time.perf_counter() - start
    print(f"{stats['pairs']} pairs from {stats['tasks']} tasks x n={cfg.sampling.n} "
          f"({cfg.teacher.backend} teacher, {stats['corruptions_offered']} corruptions verified)")
    print(f"pairs/s: {stats['pairs'] / seconds:.0f}, seconds: {seconds:.1f}")


if __name__ == "__main__":
    main()
