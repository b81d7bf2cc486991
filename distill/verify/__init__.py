"""The verifier: parse (`parse`), validate (`schema`), execute (`sandbox`) and judge (`judge`).

Stage API: `label_samples(tasks, samples) -> Iterator[Verdict]`; `judge_samples` groups them per task.
"""

import functools
import hashlib
from pathlib import Path

from distill.verify.judge import VerifyConfig, judge_samples, label_samples

__all__ = ["VerifyConfig", "judge_samples", "label_samples", "verifier_fingerprint"]


@functools.cache
def verifier_fingerprint() -> str:
    """12 hex digits of the hash of this package's source: runs record it beside their verdicts, so a
    report can tell verdicts of another verifier (`distill.reverify` re-judges them). Any edit to the
    verifier's code changes it, a comment too: re-judging is cheap, a stale verdict is not."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
