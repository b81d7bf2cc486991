"""Does distill's BFCL mode give the official checker's verdict? Side by side on many candidate answers.

The official checker is BFCL's own ``ast_checker.py`` from the bfcl-eval wheel distill pins (2026.3.23,
sha256 checked), with the pure-Python modules it imports, loaded from the wheel without installing
bfcl-eval or its ~30 pinned dependencies. Its one heavy import, the model registry, is replaced by a
stub: it is consulted only to map dots in function names for some APIs, which distill does in its
backends instead. Network: `pip download` of the wheel once (cached under $DISTILL_CACHE/bfcl/).

Candidates per question of each AST category (non-live and live, Python, Java and JavaScript): every
possible answer, the
canonical gold, and perturbations of it (values changed, dropped, added, retyped int/float/str/None,
strings re-cased and re-punctuated, list items reordered, parallel calls reordered, one call dropped
or duplicated, wrong function). Prints agreement per category, a few disagreements, and as its last
line `agreement: P% of N candidates (min per category Q%)`.  Goal (issue 18): >= 99.9% per category.
The official checker's own type converters (Java, JavaScript) are the ones distill runs as well, so
for those two categories the check is of everything around them.
Run: `.venv/bin/python benchmarks/bfcl_agreement.py [--per-question 40]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import types
import zipfile
from collections import Counter
from typing import Any

from distill.assets import BFCL_PACKAGE, bfcl_data_dir, cache_dir
from distill.records import ToolCall
from distill.tasks.bfcl import load_category
from distill.verify.judge import judge_bfcl
from distill.verify.parse import Parsed

WHEEL_SHA256 = "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a"
CATEGORIES = ("simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple",
              "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
_MODULES = ("bfcl_eval/constants/enums.py", "bfcl_eval/constants/type_mappings.py",
            "bfcl_eval/eval_checker/ast_eval/type_convertor/java_type_converter.py",
            "bfcl_eval/eval_checker/ast_eval/type_convertor/js_type_converter.py",
            "bfcl_eval/eval_checker/ast_eval/ast_checker.py")


def official_checker() -> Any:
    """The ``ast_checker`` module of the pinned bfcl-eval wheel."""
    folder = cache_dir() / "bfcl" / "wheel"
    wheels = list(folder.glob("bfcl_eval-*.whl"))
    if not wheels:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder),
                        BFCL_PACKAGE], check=True)
        wheels = list(folder.glob("bfcl_eval-*.whl"))
    (wheel,) = wheels
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    for package in ("bfcl_eval", "bfcl_eval.constants", "bfcl_eval.eval_checker", "bfcl_eval.eval_checker.ast_eval",
                    "bfcl_eval.eval_checker.ast_eval.type_convertor"):
        sys.modules.setdefault(package, types.ModuleType(package))
    registry = types.ModuleType("bfcl_eval.constants.model_config")

    class _Config:
        underscore_to_dot = False

    registry.MODEL_CONFIG_MAPPING = {"distill": _Config()}
    sys.modules["bfcl_eval.constants.model_config"] = registry
    with zipfile.ZipFile(wheel) as archive:
        for member in _MODULES:
            name = member.removesuffix(".py").replace("/", ".")
            module = types.ModuleType(name)
            module.__file__ = f"{wheel}!/{member}"
            sys.modules[name] = module
            code = compile(archive.read(member), module.__file__, "exec")
            exec(code, module.__dict__)  # noqa: S102 - BFCL's own checker from the pinned, hash-checked wheel
    return sys.modules["bfcl_eval.eval_checker.ast_eval.ast_checker"]


def raw_questions(category: str) -> dict[str, Any]:
    path = bfcl_data_dir() / f"BFCL_v4_{category}.json"
    return {q["id"]: q for q in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if q}


def _retype(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return rng.choice([int(value), str(value), None])
    if isinstance(value, int):
        return rng.choice([float(value), str(value), value + 1, None, True])
    if isinstance(value, float):
        return rng.choice([int(value), str(value), value + 0.5, None])
    if isinstance(value, str):
        return rng.choice([value.upper(), value.replace(" ", "-") + ".", value + "x", 1, None, [value],
                           value.replace("L", ""), value + "L", value.replace("1", "2"), f"new ArrayList<>({value})"])
    if isinstance(value, list):
        return rng.choice([list(reversed(value)), value[:-1], [*value, value[0]] if value else [1],
                           [str(v) for v in value], [float(v) if isinstance(v, int) else v for v in value]])
    if isinstance(value, dict):
        key = rng.choice(sorted(value)) if value else "k"
        return rng.choice([{k: v for k, v in value.items() if k != key}, {**value, key: _retype(value.get(key), rng)},
                           {**value, "extra": 1}])
    return rng.choice([0, "x", [], {}])


def candidates(task: Any, rng: random.Random, count: int) -> list[list[ToolCall]]:
    golds = list(task.gold.calls)
    found = [golds]
    for j, acceptable in enumerate(task.gold.acceptable):  # every listed value of each parameter
        for param, values in acceptable.items():
            for value in values:
                call = golds[j]
                args = {k: v for k, v in call.arguments.items() if k != param}
                if value != "":
                    args[param] = value
                found.append([*golds[:j], ToolCall(call.name, args), *golds[j + 1:]])
    while len(found) < count:
        calls = [ToolCall(c.name, dict(c.arguments)) for c in golds]
        j = rng.randrange(len(calls))
        move = rng.randrange(8)
        args = calls[j].arguments
        if move <= 3 and args:
            key = rng.choice(sorted(args))
            args[key] = _retype(args[key], rng)
        elif move == 4 and args:
            del args[rng.choice(sorted(args))]
        elif move == 5:
            tool = next(t for t in task.tools if t.name == calls[j].name)
            extra = sorted(set(tool.parameters.get("properties", {})) - set(args)) or ["unlisted"]
            args[rng.choice(extra)] = rng.choice([1, "x", True, None, 2.5])
        elif move == 6:
            rng.shuffle(calls)
            if len(calls) > 1 and rng.random() < 0.5:
                calls = calls[1:] if rng.random() < 0.5 else [*calls, calls[0]]
        else:
            others = [t.name for t in task.tools if t.name != calls[j].name] or ["unknown_function"]
            calls[j] = ToolCall(rng.choice(others), args)
        found.append(calls)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-question", type=int, default=40, help="candidates per question (at least)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    checker = official_checker()
    enum = sys.modules["bfcl_eval.constants.enums"].Language
    languages = {"simple_java": enum.JAVA, "simple_javascript": enum.JAVASCRIPT}
    rng = random.Random(args.seed)
    totals: dict[str, Counter[str]] = {}
    shown = 0
    for category in CATEGORIES:
        raw = raw_questions(category)
        answer_file = bfcl_data_dir() / "possible_answer" / f"BFCL_v4_{category}.json"
        lines = answer_file.read_text("utf-8").splitlines()
        answers = {a["id"]: a["ground_truth"] for a in map(json.loads, lines) if a}
        counts = totals.setdefault(category, Counter())
        for task in load_category(category):
            question_id = task.id.split("/", 1)[1]
            functions = raw[question_id]["function"]
            for calls in candidates(task, rng, args.per_question):
                output = [{c.name: c.arguments} for c in calls]
                try:
                    official = checker.ast_checker(functions, output, answers[question_id],
                                                   languages.get(category, enum.PYTHON), category, "distill")["valid"]
                except Exception as exc:  # noqa: BLE001 - the official checker crashes on some inputs
                    counts["official crashed"] += 1
                    official = f"crash: {type(exc).__name__}"
                ours = judge_bfcl(task, Parsed(tuple(calls), ""))[0].value == "ok"
                counts["n"] += 1
                counts["official ok"] += official is True
                if isinstance(official, bool):
                    counts["agree" if ours == official else "disagree"] += 1
                    if ours != official and shown < 12:
                        shown += 1
                        print(f"DISAGREE {task.id}: distill {ours}, official {official}: {output}"[:400])
    total_n = sum(c["agree"] + c["disagree"] for c in totals.values())
    total_agree = sum(c["agree"] for c in totals.values())
    rates = {}
    for category, c in totals.items():
        judged = c["agree"] + c["disagree"]
        rates[category] = 100 * c["agree"] / max(1, judged)
        print(f"{category:24} {judged:7d} candidates ({c['official ok']} correct for the official checker)  "
              f"{rates[category]:7.3f}% agree  ({c['disagree']} disagree, {c['official crashed']} crashed it)")
    print(f"agreement: {100 * total_agree / max(1, total_n):.3f}% of {total_n} candidates "
          f"(min per category {min(rates.values()):.3f}%)")


if __name__ == "__main__":
    main()
