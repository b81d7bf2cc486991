"""The `distill` command: `distill <recipe> [hydra overrides]`, plus `distill assets`.

    distill tasks run_name=small tasks.total=500
    distill pairs teacher=openai
    distill dpo -m student=smollm2-135m,smollm2-360m
    distill assets            # install the embedded student and BFCL data into the cache
    distill assets --models qwen   # + the Qwen2.5-Coder GGUFs (make models)
    distill reverify results/memory/runs/* --write   # re-judge stored answers with today's verifier
"""

from __future__ import annotations

import importlib
import sys

from distill.recipes import RECIPES

USAGE = """usage: distill <command> [args]

recipes (Hydra overrides follow, e.g. `distill tasks run_name=x`; `--help` after the recipe for Hydra's help):
""" + "".join(f"  {name:<8} {what}\n" for name, what in RECIPES.items()) + """other:
  assets   install the embedded student model and BFCL data into $DISTILL_CACHE
           (--models qwen: also the Qwen2.5-Coder 0.5B and 1.5B GGUFs; what `make models` runs)
  cache    stats | export FILE [--backend B] | import FILE  (the teacher response cache; --path to pick one)
  reverify RUN... [--write]  re-judge eval runs' stored answers with the current verifier (no model runs)
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
    if command == "cache":
        return cache_main(rest)
    if command == "reverify":
        from distill.reverify import main as reverify_main

        return reverify_main(rest)
    if command not in RECIPES:
        print(f"distill: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    recipe = importlib.import_module(f"distill.recipes.{command}")
    sys.argv = [f"distill-{command}", *rest]
    recipe.main()
    return 0


def cache_main(argv: list[str]) -> int:
    """`distill cache stats|export|import`: inspect and share teacher caches between machines (JSONL)."""
    import argparse
    import json

    from distill import io
    from distill.sampling.cache import CacheConfig, ResponseCache

    parser = argparse.ArgumentParser(prog="distill cache")
    parser.add_argument("action", choices=["stats", "export", "import"])
    parser.add_argument("file", nargs="?", help="JSONL file to write (export) or read (import)")
    parser.add_argument("--path", default=CacheConfig().path, help="the cache database")
    parser.add_argument("--backend", help="export: only this backend's samples (e.g. llamacpp)")
    args = parser.parse_args(argv)
    cache = ResponseCache(args.path)
    try:
        if args.action == "stats":
            print(json.dumps(cache.stats(), indent=2))
        elif args.file is None:
            parser.error(f"{args.action} needs a FILE")
        elif args.action == "export":
            print(f"exported {io.write_jsonl(args.file, cache.export(args.backend))} samples to {args.file}")
        else:
            with open(args.file, encoding="utf-8") as handle:
                added = cache.import_rows(json.loads(line) for line in handle if line.strip())
            print(f"imported {added} new samples into {args.path}")
    finally:
        cache.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
