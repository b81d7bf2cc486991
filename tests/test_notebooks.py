"""The notebooks run top to bottom on a small run (nbclient, the venv's own kernel)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_failure_pairs_notebook_executes_on_a_small_run(pairs_run, monkeypatch):
    monkeypatch.setenv("DISTILL_PAIRS_RUN", str(pairs_run))
    notebook = nbformat.read(NOTEBOOKS / "01_failure_pairs.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the reasons plot
    assert any("<table>" in o.get("data", {}).get("text/html", "") for o in outputs)  # chosen beside rejected
