"""The verifier: parse (`parse`), validate (`schema`), execute (`sandbox`) and judge (`judge`).

Stage API: `label_samples(tasks, samples) -> Iterator[Verdict]`; `judge_samples` groups them per task.
"""

import ast
import functools
import hashlib
from pathlib import Path

from distill.verify.judge import VerifyConfig, judge_samples, label_samples

__all__ = ["VerifyConfig", "judge_samples", "label_samples", "verifier_fingerprint"]


@functools.cache
def verifier_fingerprint() -> str:
    """12 hex digits of the hash of this package's code: runs record it beside their verdicts, so a
    report can tell verdicts of another verifier (`distill.reverify` re-judges them). The hash is of
    each module's syntax tree without docstrings (`_code_of`), so comments, docstrings and layout do not change it
    and any change to the code does (re-judging is cheap, a stale verdict is not)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + _code_of(path.read_text(encoding="utf-8")).encode() + b"\0")
    return digest.hexdigest()[:12]


def _code_of(source: str) -> str:
    """The module's syntax tree without bare string statements (docstrings, attribute docstrings)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            kept = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                            and isinstance(n.value.value, str))]
            node.body = kept or [ast.Pass()]
    return ast.dump(tree)
