"""Package-level behaviour: a light import and a working console script."""

import subprocess
import sys


def test_import_distill_is_fast_and_loads_no_heavy_library():
    code = ("import sys, time; t = time.perf_counter(); import distill, distill.records, distill.io; "
            "dt = time.perf_counter() - t; heavy = [m for m in ('torch', 'transformers', 'trl', 'datasets') "
            "if m in sys.modules]; print(heavy, dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "[]", out
    assert float(out[1]) < 1.0


def test_cli_help_lists_every_recipe():
    out = subprocess.run([sys.executable, "-m", "distill.cli", "--help"], capture_output=True, text=True, check=True)
    from distill.recipes import RECIPES

    for recipe in (*RECIPES, "assets", "cache"):
        assert recipe in out.stdout


def test_cli_rejects_an_unknown_command():
    out = subprocess.run([sys.executable, "-m", "distill.cli", "bogus"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown command" in out.stderr


def test_every_recipe_has_its_module_config_and_make_target_and_nothing_else_does():
    import re
    from pathlib import Path

    from distill.recipes import CONF_DIR, RECIPES

    root = Path(__file__).resolve().parents[1]
    makefile = (root / "Makefile").read_text()
    runs = set(re.findall(r"^\t\$\(DISTILL\) (\w+) \$\(ARGS\)$", makefile, flags=re.M))
    assert runs == set(RECIPES)
    for recipe in RECIPES:
        assert re.search(rf"^{recipe}: .*## ", makefile, flags=re.M), f"make {recipe} has no help line"
        assert (root / "distill" / "recipes" / f"{recipe}.py").exists() and (Path(CONF_DIR) / f"{recipe}.yaml").exists()
