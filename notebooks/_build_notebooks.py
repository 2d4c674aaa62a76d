"""Write the tutorial notebooks in this folder.

Run ``python notebooks/_build_notebooks.py``. The notebooks are generated so that they
stay reviewable as plain Python: edit the cells, re-run this script, and the ``.ipynb``
files are rewritten WITHOUT outputs (no execution counts, no stored results).
``make test`` executes each notebook top to bottom with nbmake, in the notebook's own
folder, on the bundled FICTIONAL demo data.

The cells live in one module per notebook, each defining a list ``NB0n`` of cells:

- ``_nbcells.py``: what they share (``md``/``code`` cell makers, the fictional-data
  notice, the set-up cells);
- ``_nb01_import.py`` ... ``_nb05_exports.py``: notebooks 01-05;
- ``_nb06_llm.py``: notebook 06 (the LLM coder).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

HERE = Path(__file__).resolve().parent

KERNEL = {
    "kernelspec": {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    },
    "language_info": {"name": "python"},
}

NOTEBOOKS = {
    "01_import_and_explore.ipynb": ("_nb01_import.py", "NB01"),
    "02_codebooks_and_coding.ipynb": ("_nb02_coding.py", "NB02"),
    "03_assisted_tagging.ipynb": ("_nb03_tagging.py", "NB03"),
    "04_agreement.ipynb": ("_nb04_agreement.py", "NB04"),
    "05_figures_and_exports.ipynb": ("_nb05_exports.py", "NB05"),
    "06_llm_coder.ipynb": ("_nb06_llm.py", "NB06"),
}


def cells(module: str, name: str) -> list:
    """The cells list ``name`` defined by the cells module ``module`` in this folder."""
    if str(HERE) not in sys.path:  # the cells modules import _nbcells from here
        sys.path.insert(0, str(HERE))
    return runpy.run_path(str(HERE / module))[name]


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook into ``folder`` without outputs; return the paths."""
    written = []
    for name, (module, var) in NOTEBOOKS.items():
        nb = new_notebook(cells=cells(module, var), metadata=dict(KERNEL))
        for i, cell in enumerate(nb.cells):  # stable ids: same script, same files
            cell["id"] = f"{name[:2]}-{i:02d}"
        nbformat.validate(nb)
        path = folder / name
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
