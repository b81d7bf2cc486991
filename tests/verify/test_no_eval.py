"""Nothing in the package can evaluate text: no eval, exec or compile calls anywhere in distill/."""

import ast
from pathlib import Path

import distill

FORBIDDEN = {"eval", "exec", "compile", "__import__"}


def test_package_source_has_no_eval_exec_or_compile():
    offenders = []
    for path in Path(distill.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            # Bare builtins only: `model.eval()` (torch's eval mode) and `re.compile` are fine.
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN:
                offenders.append(f"{path}:{node.lineno} {node.func.id}")
    assert not offenders, offenders
