"""Copy the repository URL from _config.yml (its one home) into every notebook's Colab install line.

A fork changes `repository.url` (and `repository.branch`) in _config.yml, then runs
    python tools/sync_repo_url.py
tests/test_notebooks.py fails while any notebook disagrees with _config.yml.
"""
from __future__ import annotations

import re
import sys

import nbformat
import yaml

from nbexec import ROOT, all_notebooks

INSTALL_RE = re.compile(r"git\+https://[^\s\"'@]+(?:@[\w./-]+)?")


def install_target() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]
    return f"git+{repo['url'].rstrip('/')}@{repo.get('branch', 'main')}"


def main() -> int:
    target = install_target()
    changed = 0
    for path in all_notebooks():
        nb = nbformat.read(path, as_version=4)
        dirty = False
        for cell in nb.cells:
            if cell.cell_type == "code" and INSTALL_RE.search(cell.source):
                new = INSTALL_RE.sub(target, cell.source)
                dirty |= new != cell.source
                cell.source = new
        if dirty:
            nbformat.write(nb, path)
            changed += 1
            print(f"更新 {path.relative_to(ROOT)}")
    print(f"{changed} 个笔记本已同步到 {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
