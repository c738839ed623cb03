"""Run the book's notebooks at GPU scale on a CUDA machine and record what they report.

Usage (on a machine with CUDA, from the repository root):
    python tools/gpu_runner.py [NOTEBOOK ...] [--out FILE] [--save-dir DIR]
    python tools/gpu_runner.py --dry-run [NOTEBOOK ...]      GPU-scale shapes, capped steps/data, on any machine

For each notebook it records the device, driver, library versions, date, wall time, peak GPU memory,
status, which cells did not run there, the experiment configurations and every figure the notebook
printed through ``lmbook.report`` (collected via ``LMBOOK_REPORT_FILE``). The format is owned by
``lmbook.results``; the results file (default: src/lmbook/results/gpu_results.json, shipped with the
package) is merged, so one notebook can be re-run alone. Without TensorFlow (the lent GPU machines
have only PyTorch), cells tagged ``tf`` are skipped and the record says so.

``--dry-run`` (``make gpu-dryrun``) executes notebooks with ``LMBOOK_SCALE=gpu LMBOOK_DRY_RUN=1`` so the
GPU code path (shapes, dtypes, autocast, memory estimates) is exercised without a GPU; it writes
nothing unless ``--out`` is given. ``--allow-cpu`` exists only to test this script itself.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from lmbook.env import CPU_TEST_ENV
from lmbook.results import SCHEMA_VERSION, load_results, read_report_file, validate_results
from nbexec import NOTEBOOKS, ROOT, execute, resolve

DEFAULT_OUT = ROOT / "src" / "lmbook" / "results" / "gpu_results.json"
# Appended to every notebook the runner executes: the kernel's peak CUDA memory, as one more report line.
PEAK_CELL = """import json, os
import torch
if torch.cuda.is_available() and os.environ.get("LMBOOK_REPORT_FILE"):
    with open(os.environ["LMBOOK_REPORT_FILE"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"kind": "peak", "bytes": int(torch.cuda.max_memory_allocated())}) + "\\n")"""


def device_and_versions() -> tuple[str, str, dict[str, str]]:
    import torch

    versions = {"python": platform.python_version(), "torch": torch.__version__}
    for name in ("transformers", "tensorflow", "keras"):
        if importlib.util.find_spec(name):
            versions[name] = __import__(name).__version__
    if not torch.cuda.is_available():
        return f"CPU ({platform.processor() or platform.machine()})", "", versions
    versions["cuda"] = str(torch.version.cuda)
    driver = ""
    if shutil.which("nvidia-smi"):
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True)
        driver = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""
    return torch.cuda.get_device_name(0), driver, versions


def run_one(path: Path, *, scale: str, dry_run: bool, skip_tags: set[str], save_dir: Path | None) -> dict:
    notebook = path.relative_to(NOTEBOOKS).with_suffix("").as_posix()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.jsonl"
        env = {**CPU_TEST_ENV, "LMBOOK_SCALE": scale, "LMBOOK_DRY_RUN": "1" if dry_run else "0",
               "LMBOOK_REPORT_FILE": str(report), "MPLBACKEND": "Agg"}
        if "tf" in skip_tags:
            env["LMBOOK_FRAMEWORKS"] = "torch"
        cells = nbformat.read(path, as_version=4).cells
        skipped = sum(1 for c in cells if c.cell_type == "code" and skip_tags & set(c.metadata.get("tags", [])))
        status, seconds = "ok", float("nan")
        try:
            nb, seconds = execute(path, env, skip_tags=skip_tags, extra_cells=[PEAK_CELL])
            if save_dir is not None:
                save_dir.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, save_dir / path.name)
        except Exception as exc:  # record the failure, keep going with the other notebooks
            status = f"error: {type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"[:300]
        rows, configs = read_report_file(report)
    peaks = [r["bytes"] for r in rows if "bytes" in r]
    figures = [r for r in rows if "key" in r]
    return {"notebook": notebook, "scale": scale, "dry_run": dry_run, "wall_s": round(seconds, 2),
            "peak_gpu_memory_bytes": max(peaks) if peaks else None, "status": status,
            "cells": {"total": sum(1 for c in cells if c.cell_type == "code"), "skipped": skipped,
                      "skipped_tags": sorted(skip_tags), "keras_backend": None if "tf" in skip_tags else "tensorflow"},
            "configs": configs, "figures": figures}


def merge(out: Path, runs: list[dict]) -> dict:
    data = load_results(out) if out.exists() else {"schema": SCHEMA_VERSION, "runs": []}
    keys = {(r["notebook"], r["device"]) for r in runs}
    kept = [r for r in data["runs"] if (r["notebook"], r["device"]) not in keys]
    data["runs"] = sorted(kept + runs, key=lambda r: (r["notebook"], r["device"]))
    return data


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="paths under notebooks/ (default: all)")
    parser.add_argument("--out", type=Path, help="results JSON to merge into (default: the package's file; "
                                                 "with --dry-run: none)")
    parser.add_argument("--save-dir", type=Path, help="also write the executed notebooks here")
    parser.add_argument("--dry-run", action="store_true", help="GPU-scale shapes with capped steps and data, any device")
    parser.add_argument("--allow-cpu", action="store_true", help="test this script without CUDA (CPU scale)")
    parser.add_argument("--skip-tf", action="store_true", help="behave as on a machine without TensorFlow")
    args = parser.parse_args(argv)

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not (args.allow_cpu or args.dry_run):
        print("没有检测到 CUDA：GPU 规模的记录必须在 GPU 上运行（演练用 --dry-run；只想测试本脚本时加 --allow-cpu）。",
              file=sys.stderr)
        return 2
    out = args.out if args.out is not None else (None if args.dry_run else DEFAULT_OUT)
    device, driver, versions = device_and_versions()
    scale = "gpu" if cuda or args.dry_run else "cpu"
    has_tf = importlib.util.find_spec("tensorflow") is not None and not args.skip_tf
    skip_tags = set() if has_tf else {"tf"}
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    runs = []
    for path in resolve(args.notebooks):
        run = {"device": device, "driver": driver, "date": date, "versions": versions,
               **run_one(path, scale=scale, dry_run=args.dry_run, skip_tags=skip_tags, save_dir=args.save_dir)}
        runs.append(run)
        print(f"{run['notebook']}: {run['status']} · {run['wall_s']} s · {len(run['figures'])} 个数字 · "
              f"跳过 {run['cells']['skipped']} 个单元格", flush=True)
    if out is not None:
        data = merge(out, runs)
        problems = validate_results(data)
        if problems:
            print("结果文件不符合格式：\n" + "\n".join(problems), file=sys.stderr)
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"已写入 {out}")
    return 0 if all(r["status"] == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
