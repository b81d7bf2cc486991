"""The verifier: parse (`parse`), validate (`schema`), execute (`sandbox`) and judge (`judge`).

Stage API: `label_samples(tasks, samples) -> Iterator[Verdict]`.
"""

from distill.verify.judge import VerifyConfig, label_samples

__all__ = ["VerifyConfig", "label_samples"]
