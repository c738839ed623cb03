"""Execute notebooks with nbclient: shared by tools/run_notebooks.py and tools/gpu_runner.py."""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 300  # far above the ~60 s per-cell budget: a hang, not a slow cell, should trip it


def all_notebooks() -> list[Path]:
    """Every book notebook, in reading order (folder and file names sort by chapter and section)."""
    return sorted(p for p in NOTEBOOKS.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def resolve(names: list[str]) -> list[Path]:
    """Notebook paths from command-line names (relative to the repo or to notebooks/); all if none."""
    if not names:
        return all_notebooks()
    paths = []
    for name in names:
        for candidate in (Path(name), ROOT / name, NOTEBOOKS / name):
            if candidate.is_file():
                paths.append(candidate.resolve())
                break
        else:
            raise SystemExit(f"找不到笔记本 {name!r}：请给出 notebooks/ 下的路径，例如 ch00_preface/01_quickstart.ipynb")
    return paths


def execute(path: Path, env: dict[str, str], *, skip_tags: set[str] = frozenset(),
            extra_cells: list[str] = ()) -> tuple[nbformat.NotebookNode, float]:
    """Run ``path`` top to bottom on a fresh kernel in its own folder; return (notebook, seconds).

    Cells carrying any tag in ``skip_tags`` are left out (the GPU machine has no TensorFlow);
    ``extra_cells`` (source strings) are appended and run last (the GPU runner's peak-memory probe).
    """
    nb = nbformat.read(path, as_version=4)
    if skip_tags:
        nb.cells = [c for c in nb.cells if not skip_tags & set(c.get("metadata", {}).get("tags", []))]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in extra_cells]
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        start = time.perf_counter()
        client.execute()
        return nb, time.perf_counter() - start
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
