"""Nothing in the package can evaluate text: no eval, exec or compile calls anywhere in distill/."""

import ast
from pathlib import Path

import distill

FORBIDDEN = {"eval", "exec", "compile", "__import__"}


def test_package_source_has_no_eval_exec_or_compile():
    offenders = []
    for path in Path(distill.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in FORBIDDEN and not (isinstance(node.func, ast.Attribute) and name == "compile"):
                    offenders.append(f"{path}:{node.lineno} {name}")
    assert not offenders, offenders
