"""The `distill` command: `distill <recipe> [hydra overrides]`, plus `distill assets`.

    distill tasks run_name=small tasks.total=500
    distill pairs teacher=openai
    distill dpo -m student=smollm2-135m,smollm2-360m
    distill assets            # install the embedded student and BFCL data into the cache
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from distill.recipes import RECIPES

USAGE = """usage: distill <command> [args]

recipes (Hydra overrides follow, e.g. `distill tasks run_name=x`; `--help` after the recipe for Hydra's help):
  tasks    generate the granular task suite
  pairs    teacher samples -> verdicts -> DPO pairs
  dpo      train the student with TRL DPO
  eval     per-sub-task accuracy of a model
  report   compare eval runs
other:
  assets   install the embedded student model and BFCL data into $DISTILL_CACHE
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "assets":
        from distill.assets import main as assets_main

        return assets_main(rest)
    if command not in RECIPES:
        print(f"distill: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    if importlib.util.find_spec(f"distill.recipes.{command}") is None:
        print(f"distill {command}: delivered by a later stage", file=sys.stderr)
        return 2
    recipe = importlib.import_module(f"distill.recipes.{command}")
    sys.argv = [f"distill-{command}", *rest]
    recipe.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
