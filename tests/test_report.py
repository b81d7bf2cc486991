"""The report's paired-comparison and seed tables, and its findings, say what the numbers say."""

from distill.report import EvalRun, arm_comparisons, comparison_table, interval_findings, seeds_table
from distill.stats import compare, wilson


def _outcomes(pattern):
    return {f"simple/test/{i}": ("simple", ok) for i, ok in enumerate(pattern)}


def test_comparison_table_has_a_row_per_subtask_the_pooled_row_and_the_macro_interval():
    a = _outcomes([False] * 8 + [True] * 2)
    b = _outcomes([True] * 8 + [True] * 2)
    lines = comparison_table(compare([a], [b], "base", "trained", iterations=200))
    assert lines[0].startswith("| group | n | base | trained |")
    simple = next(line for line in lines if line.startswith("| simple |"))
    assert "| 10 | 0.200 | 1.000 | +0.800 | 0 | 8 | 0.008 | 0.008 |" in simple
    assert any(line.startswith("| **granular (pooled)** |") for line in lines)
    assert lines[-1].startswith("| **macro difference** (paired bootstrap 95% CI) | | | | +0.800 [+0.")


def test_seeds_table_gives_each_seed_the_mean_and_the_spread():
    lines = seeds_table([("granular", 0, 0.30), ("granular", 1, 0.40), ("umbrella", 0, 0.25), ("base", 0, None)])
    assert lines[2] == "| granular | s0: 0.300, s1: 0.400 | 0.350 | 0.100 |"
    assert lines[3] == "| umbrella | s0: 0.250 | 0.250 | 0.000 |"
    assert len(lines) == 4  # an arm with no macro accuracy has no row


def _run(label, accuracies, role="trained", arm="", memory="off", model="m", n=40):
    subtasks = {name: {"n": n, "accuracy": a, "ci95": list(wilson(round(a * n), n))} for name, a in accuracies.items()}
    macro = round(sum(accuracies.values()) / len(accuracies), 4)
    return EvalRun(label, {"model": model, "subtasks": subtasks, "overall": {"macro_accuracy": macro}}, role, arm, memory)


def test_findings_state_the_lift_per_subtask_and_which_intervals_separate():
    base = _run("base", {"simple": 0.1, "irrelevance": 0.5}, role="base")
    trained = _run("trained", {"simple": 0.9, "irrelevance": 0.45})
    lines = interval_findings([base, trained])
    assert lines[:2] == ["## Findings", ""]
    assert lines[2] == ("- **trained** vs **base**: macro accuracy 0.300 → 0.675; better on 1 sub-task(s) and worse "
                        "on 0 with non-overlapping 95% intervals.")
    assert "  - simple: 0.10 → 0.90 (+0.80) — intervals do not overlap" in lines
    assert "  - irrelevance: 0.50 → 0.45 (-0.05) — within the intervals" in lines


def test_findings_without_a_base_ask_for_one_and_give_the_teacher_gap():
    teacher = _run("teacher", {"simple": 0.8}, role="teacher")
    trained = _run("student", {"simple": 0.5})
    lines = interval_findings([teacher, trained])
    assert any("Give a base and a trained eval run" in line for line in lines)
    assert "- The teacher (teacher) is +0.300 macro accuracy above student." in lines


def test_findings_compare_memory_on_with_off_for_the_same_model_only():
    off = _run("1.5B", {"simple": 0.2}, role="other", model="qwen-1.5b")
    on = _run("1.5B + memory", {"simple": 0.6}, role="other", memory="rules", model="qwen-1.5b")
    other = _run("0.5B + memory", {"simple": 0.6}, role="other", memory="rules", model="qwen-0.5b")
    heads = [line for line in interval_findings([off, on, other]) if line.startswith("- **")]
    assert heads == ["- **1.5B + memory** vs **1.5B**: macro accuracy 0.200 → 0.600; better on 1 sub-task(s) and "
                     "worse on 0 with non-overlapping 95% intervals."]


def test_arm_comparisons_pair_umbrella_with_granular_and_methods_in_order():
    runs = [_run(arm, {"simple": 0.5}, arm=arm) for arm in
            ("granular SFT", "granular DPO", "umbrella SFT", "granular SFT->DPO")]
    pairs = [(a.arm, b.arm) for a, b in arm_comparisons(runs)]
    assert sorted(pairs) == sorted([("granular SFT", "umbrella SFT"), ("granular SFT", "granular DPO"),
                                    ("granular SFT", "granular SFT->DPO"), ("granular DPO", "granular SFT->DPO")])
