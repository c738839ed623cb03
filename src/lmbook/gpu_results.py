"""GPU-scale results recorded by ``tools/gpu_runner.py`` and shown beside the CPU-scale outputs."""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

RESULTS_FILE = "gpu_results.json"


def load_results() -> dict[str, Any]:
    """The committed results file (``src/lmbook/results/gpu_results.json``); empty if none yet."""
    ref = resources.files("lmbook").joinpath("results", RESULTS_FILE)
    if not ref.is_file():
        return {"runs": []}
    return json.loads(ref.read_text(encoding="utf-8"))


def runs_for(notebook: str, results: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Recorded runs of one notebook, given by its path under ``notebooks/``."""
    data = load_results() if results is None else results
    return [r for r in data.get("runs", []) if r.get("notebook") == notebook]


def show_gpu_results(notebook: str, results: dict[str, Any] | None = None) -> None:
    """Print the GPU-scale figures recorded for ``notebook``, or say plainly that none exist yet."""
    runs = runs_for(notebook, results)
    if not runs:
        print(f"{notebook}：还没有 GPU 规模的记录。在有 CUDA 的机器上运行 `python tools/gpu_runner.py {notebook}` 生成。")
        return
    for run in runs:
        versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
        print(f"GPU 规模记录：{run.get('device')} · {run.get('date')} · {versions}")
        print(f"  整本笔记本用时 {run.get('wall_s', float('nan')):.1f} s（状态：{run.get('status')}）")
        for fig in run.get("figures", []):
            print(f"  {fig['key']} = {fig['value']:.6g} {fig.get('unit', '')}".rstrip())
