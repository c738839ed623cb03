"""Write what every notebook's set-up cell must say about itself, from its one source of truth.

* the Colab install line points at the repository in _config.yml (`repository.url`, `repository.branch`)
  and asks for the ``data`` and ``chapters`` extras (optuna, opacus, fairlearn, peft, fastapi, onnxruntime, … are not on
  Colab; torch, TensorFlow and transformers are, so the ``frameworks`` extra is not installed there);
* ``lmbook.setup(..., notebook="chNN_x/NN_name")`` names the notebook by its path, which is how the
  "GPU 规模的记录" cell finds the notebook's record (no hand-typed paths).

A fork changes `repository.url` in _config.yml, then runs `python tools/sync_notebooks.py`; so does
anyone who adds or renames a notebook. tests/test_notebooks.py fails while a notebook disagrees.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

from nbexec import NOTEBOOKS, ROOT, all_notebooks

INSTALL_RE = re.compile(r"git\+https://[^\s\"'@]+(?:@[\w./-]+)?")
REQUIREMENT_RE = re.compile(r"lmbook(?:\[[\w,]*\])? @ git\+")
COLAB_EXTRAS = "data,chapters"
SETUP_RE = re.compile(r"lmbook\.setup\((?P<args>[^)]*)\)")
NOTEBOOK_ARG_RE = re.compile(r"""\s*notebook\s*=\s*["'][^"']*["']\s*""")


def install_target() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]
    return f"git+{repo['url'].rstrip('/')}@{repo.get('branch', 'main')}"


def notebook_id(path: Path) -> str:
    return path.resolve().relative_to(NOTEBOOKS).with_suffix("").as_posix()


def setup_call(args: str, nb_id: str) -> str:
    """The set-up call with ``notebook="<nb_id>"`` as its last keyword (replacing any old value)."""
    kept = [a.strip() for a in args.split(",") if a.strip() and not NOTEBOOK_ARG_RE.fullmatch(a)]
    return f"lmbook.setup({', '.join([*kept, f'notebook={nb_id!r}'.replace(chr(39), chr(34))])})"


def synced_source(source: str, nb_id: str) -> str:
    source = INSTALL_RE.sub(install_target(), source)
    source = REQUIREMENT_RE.sub(f"lmbook[{COLAB_EXTRAS}] @ git+", source)
    return SETUP_RE.sub(lambda m: setup_call(m.group("args"), nb_id), source, count=1)


def main() -> int:
    changed = 0
    for path in all_notebooks():
        nb = nbformat.read(path, as_version=4)
        first = next((c for c in nb.cells if c.cell_type == "code" and c.source.strip()), None)
        if first is None or "lmbook.setup(" not in first.source:
            print(f"{path.relative_to(ROOT)}：第一个代码单元格不是准备环境单元格（没有 lmbook.setup(...)）", file=sys.stderr)
            return 1
        new = synced_source(first.source, notebook_id(path))
        if new != first.source:
            first.source = new
            nbformat.write(nb, path)
            changed += 1
            print(f"更新 {path.relative_to(ROOT)}")
    print(f"{changed} 个笔记本已同步（安装地址 {install_target()}，notebook= 取自文件路径）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
