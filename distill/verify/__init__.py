"""The verifier: parse (`parse`), validate (`schema`), execute (`sandbox`) and judge (`judge`).

Stage API: `label_samples(tasks, samples) -> Iterator[Verdict]`; `judge_samples` groups them per task.
"""

from distill.verify.judge import VerifyConfig, judge_samples, label_samples

__all__ = ["VerifyConfig", "judge_samples", "label_samples"]
