"""Recorded figures: the one module that owns their format.

A notebook prints the figures its text relies on with :func:`report` and its experiment
configurations with :func:`report_config`. When ``tools/gpu_runner.py`` runs a notebook it sets
``LMBOOK_REPORT_FILE``; each call then also appends one JSON line there, and the runner merges
them into ``src/lmbook/results/gpu_results.json`` (shipped with the package). The notebook's
"GPU 规模的记录" cell calls :func:`show_gpu_results` with its ``env``, which knows the
notebook's identity (written into the set-up cell by ``tools/sync_notebooks.py``).
"""
from __future__ import annotations

import json
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

REPORT_ENV_VAR = "LMBOOK_REPORT_FILE"
RESULTS_FILE = "gpu_results.json"
SCHEMA_VERSION = 1

#: keys of one run, with the Python types allowed for each value
RUN_FIELDS: dict[str, tuple[type, ...]] = {
    "notebook": (str,),  # e.g. "ch01_resources/01_resources_and_costs"
    "device": (str,),  # e.g. "NVIDIA H100 80GB HBM3"
    "driver": (str,),
    "date": (str,),  # YYYY-MM-DD, UTC
    "versions": (dict,),  # library → version
    "scale": (str,),  # "gpu" (or "cpu" for test runs of the runner, never committed)
    "dry_run": (bool,),
    "wall_s": (int, float),
    "peak_gpu_memory_bytes": (int, type(None)),
    "status": (str,),  # "ok" or "error: …"
    "cells": (dict,),  # {"total": n, "skipped": n, "skipped_tags": [...], "keras_backend": ...}
    "configs": (list,),  # [{"name": ..., "values": {...}}]
    "figures": (list,),  # [{"key": ..., "value": ..., "unit": ..., "note": ...}]
}


def _append(row: dict[str, Any]) -> None:
    path = os.environ.get(REPORT_ENV_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def report(key: str, value: float, unit: str = "", *, note: str = "") -> float:
    """Print a figure the text relies on and, when the GPU runner asks, record it; returns ``value``."""
    value = float(value)
    print(f"[记录] {key} = {value:.6g} {unit}".rstrip())
    _append({"kind": "figure", "key": key, "value": value, "unit": unit, "note": note})
    return value


def report_config(name: str, values: Mapping[str, Any]) -> None:
    """Print an experiment configuration (one ``field = value`` per line) and record it."""
    print(f"实验配置「{name}」：" + "，".join(f"{k}={v}" for k, v in values.items()))
    _append({"kind": "config", "name": name, "values": {k: _jsonable(v) for k, v in values.items()}})


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def read_report_file(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(figures, configs)`` written by :func:`report` / :func:`report_config` during one run."""
    figures, configs = [], []
    p = Path(path)
    if not p.exists():
        return figures, configs
    for line in p.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        kind = row.pop("kind", "figure")
        (configs if kind == "config" else figures).append(row)
    return figures, configs


# --------------------------------------------------------------------------- the results file
def results_path() -> Path:
    """Where the committed results file lives inside the installed package."""
    return Path(str(resources.files("lmbook").joinpath("results", RESULTS_FILE)))


def load_results(path: str | Path | None = None) -> dict[str, Any]:
    """The results file (default: the one shipped with lmbook); ``{"schema": 1, "runs": []}`` if none yet."""
    p = Path(path) if path is not None else results_path()
    if not p.is_file():
        return {"schema": SCHEMA_VERSION, "runs": []}
    return json.loads(p.read_text(encoding="utf-8"))


def validate_results(data: Mapping[str, Any]) -> list[str]:
    """Everything wrong with a results document, as readable messages (empty list = valid)."""
    problems: list[str] = []
    if data.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema 应为 {SCHEMA_VERSION}，实际 {data.get('schema')!r}")
    runs = data.get("runs")
    if not isinstance(runs, list):
        return problems + ["runs 必须是列表"]
    for i, run in enumerate(runs):
        where = f"runs[{i}]（{run.get('notebook', '?') if isinstance(run, dict) else '?'}）"
        if not isinstance(run, dict):
            problems.append(f"{where} 必须是对象")
            continue
        for key, types in RUN_FIELDS.items():
            if key not in run:
                problems.append(f"{where} 缺少字段 {key}")
            elif not isinstance(run[key], types) or (isinstance(run[key], bool) and bool not in types):
                problems.append(f"{where}.{key} 的类型应为 {'/'.join(t.__name__ for t in types)}")
        extra = set(run) - set(RUN_FIELDS)
        if extra:
            problems.append(f"{where} 有未定义的字段 {sorted(extra)}")
        for j, fig in enumerate(run.get("figures", []) if isinstance(run.get("figures"), list) else []):
            if not (isinstance(fig, dict) and isinstance(fig.get("key"), str) and isinstance(fig.get("value"), (int, float))):
                problems.append(f"{where}.figures[{j}] 需要字符串 key 与数值 value")
            elif not math.isfinite(fig["value"]):
                problems.append(f"{where}.figures[{j}]（{fig['key']}）的值不是有限数")
        if isinstance(run.get("date"), str) and not _is_date(run["date"]):
            problems.append(f"{where}.date 应为 YYYY-MM-DD")
    return problems


def _is_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def runs_for(notebook: str, results: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Recorded runs of one notebook, given by its id (``ch01_resources/01_resources_and_costs``)."""
    data = load_results() if results is None else results
    key = notebook.removesuffix(".ipynb")
    return [r for r in data.get("runs", []) if r.get("notebook") == key]


def show_gpu_results(env: Any, results: Mapping[str, Any] | None = None) -> None:
    """Print the GPU-scale figures recorded for the notebook ``env`` belongs to, or say none exist yet.

    ``env`` is what ``lmbook.setup(...)`` returned (its ``notebook`` names the notebook); a plain
    notebook id string is accepted too.
    """
    notebook = env if isinstance(env, str) else getattr(env, "notebook", None)
    if not notebook:
        print("不知道这是哪个笔记本：准备环境单元格里 lmbook.setup(...) 缺少 notebook=…，"
              "请运行 `python tools/sync_notebooks.py` 补上。")
        return
    runs = runs_for(notebook, results)
    if not runs:
        print(f"{notebook}：还没有 GPU 规模的记录。在有 CUDA 的机器上运行 "
              f"`python tools/gpu_runner.py {notebook}.ipynb` 生成；在那之前，正文只引用上面 CPU 规模的输出。")
        return
    for run in runs:
        versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
        print(f"GPU 规模记录：{run.get('device')}（驱动 {run.get('driver', '?')}）· {run.get('date')} · {versions}")
        peak = run.get("peak_gpu_memory_bytes")
        peak_text = f"，GPU 显存峰值 {peak / 2**30:.2f} GiB" if peak else ""
        print(f"  整本笔记本用时 {run.get('wall_s', float('nan')):.1f} s{peak_text}（状态：{run.get('status')}）")
        cells = run.get("cells", {})
        if cells.get("skipped"):
            print(f"  未在 GPU 机器上运行的单元格：{cells['skipped']} 个（标签 {', '.join(cells.get('skipped_tags', []))}）")
        if cells.get("keras_backend"):
            print(f"  Keras 单元格的后端：{cells['keras_backend']}")
        for cfg in run.get("configs", []):
            print(f"  配置「{cfg['name']}」：" + "，".join(f"{k}={v}" for k, v in cfg.get("values", {}).items()))
        for fig in run.get("figures", []):
            print(f"  {fig['key']} = {fig['value']:.6g} {fig.get('unit', '')}".rstrip())
