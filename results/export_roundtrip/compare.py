"""Compare eval runs answer by answer with the first: identical text, identical verdict, accuracy."""

import sys

from distill import io
from distill.records import EvalRecord


def load(run: str) -> dict[str, EvalRecord]:
    return {r.task_id: r for r in io.read_jsonl(f"{run}/results.jsonl", EvalRecord)}


reference = load(sys.argv[1])
print(f"{sys.argv[1]}: {sum(r.verdict.correct for r in reference.values())} of {len(reference)} correct")
for run in sys.argv[2:]:
    other = load(run)
    same_text = sum((other[k].sample.text or "") == (r.sample.text or "") for k, r in reference.items())
    same_verdict = sum(other[k].verdict.correct == r.verdict.correct for k, r in reference.items())
    correct = sum(r.verdict.correct for r in other.values())
    print(f"{run}: identical answers {same_text} of {len(reference)}, same verdict {same_verdict} of "
          f"{len(reference)}, {correct} correct")
