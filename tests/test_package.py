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
    for recipe in ("tasks", "pairs", "dpo", "eval", "report", "experiment", "export", "assets"):
        assert recipe in out.stdout


def test_cli_rejects_an_unknown_command():
    out = subprocess.run([sys.executable, "-m", "distill.cli", "bogus"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown command" in out.stderr
