"""Start a new notebook from the book's template: python tools/new_notebook.py ch03_product/01_name "标题"

Copies tools/templates/notebook.ipynb (the skeleton of BOOK_DESIGN §4 that tests/test_notebooks.py checks),
sets the title, and writes the notebook's identity into its set-up cell. Add it to _toc.yml yourself.
"""
from __future__ import annotations

import sys

import nbformat

from nbexec import NOTEBOOKS, ROOT
from sync_notebooks import synced_source

TEMPLATE = ROOT / "tools" / "templates" / "notebook.ipynb"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or "/" not in argv[0]:
        print(__doc__, file=sys.stderr)
        return 2
    nb_id, title = argv[0].removesuffix(".ipynb"), argv[1]
    path = NOTEBOOKS / f"{nb_id}.ipynb"
    if path.exists():
        print(f"{path.relative_to(ROOT)} 已存在，不覆盖。", file=sys.stderr)
        return 1
    nb = nbformat.read(TEMPLATE, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("# 标题：这一节教什么", f"# {title}", 1)
    nb.cells[1].source = synced_source(nb.cells[1].source, nb_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    print(f"已创建 {path.relative_to(ROOT)}；记得把 notebooks/{nb_id} 加进 _toc.yml。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
