"""Run the book's notebooks at GPU scale on a CUDA machine and record what they report.

Usage (on a machine with CUDA, from the repository root):
    python tools/gpu_runner.py [NOTEBOOK ...] [--out FILE] [--save-dir DIR]

For each notebook it records the device, library versions, date, wall time, status and every
figure the notebook printed through ``lmbook.report`` (collected via ``LMBOOK_REPORT_FILE``).
The results file (default: src/lmbook/results/gpu_results.json, shipped with the package) is
merged, so one notebook can be re-run alone. Without TensorFlow (the lent GPU machines have only
PyTorch), cells tagged ``tf`` are skipped and the run says so. ``--allow-cpu`` exists only to test
this script itself without a GPU; such runs are marked and must not be committed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import platform
import sys
import tempfile
from pathlib import Path

import nbformat

from nbexec import NOTEBOOKS, ROOT, execute, resolve

DEFAULT_OUT = ROOT / "src" / "lmbook" / "results" / "gpu_results.json"


def device_and_versions() -> tuple[str, dict[str, str]]:
    import torch

    versions = {"python": platform.python_version(), "torch": torch.__version__}
    for name in ("transformers", "tensorflow", "keras"):
        if importlib.util.find_spec(name):
            versions[name] = __import__(name).__version__
    if torch.cuda.is_available():
        versions["cuda"] = str(torch.version.cuda)
        return torch.cuda.get_device_name(0), versions
    return f"CPU ({platform.processor() or platform.machine()})", versions


def run_one(path: Path, scale: str, has_tf: bool, save_dir: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.jsonl"
        env = {"LMBOOK_SCALE": scale, "LMBOOK_ONLINE": "0", "HF_HUB_OFFLINE": "1", "LMBOOK_REPORT_FILE": str(report),
               "MPLBACKEND": "Agg"}
        skip = set() if has_tf else {"tf"}
        if not has_tf:
            env["LMBOOK_FRAMEWORKS"] = "torch"
        status, seconds, skipped = "ok", float("nan"), 0
        try:
            nb, seconds = execute(path, env, skip_tags=skip)
            skipped = sum(1 for c in nbformat.read(path, as_version=4).cells if skip & set(c.metadata.get("tags", [])))
            if save_dir is not None:
                save_dir.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, save_dir / path.name)
        except Exception as exc:  # record the failure, keep going with the other notebooks
            status = f"error: {type(exc).__name__}: {str(exc).splitlines()[-1] if str(exc) else ''}"[:300]
        figures = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()] if report.exists() else []
    return {"notebook": path.relative_to(NOTEBOOKS).as_posix(), "scale": scale, "wall_s": round(seconds, 2),
            "status": status, "skipped_tf_cells": skipped, "figures": figures}


def merge(out: Path, runs: list[dict]) -> dict:
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"runs": []}
    keys = {(r["notebook"], r["device"]) for r in runs}
    kept = [r for r in data["runs"] if (r["notebook"], r["device"]) not in keys]
    data["runs"] = sorted(kept + runs, key=lambda r: (r["notebook"], r["device"]))
    return data


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="paths under notebooks/ (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON to merge into")
    parser.add_argument("--save-dir", type=Path, help="also write the executed notebooks here")
    parser.add_argument("--allow-cpu", action="store_true", help="test this script without CUDA (CPU scale)")
    parser.add_argument("--skip-tf", action="store_true", help="behave as on a machine without TensorFlow")
    args = parser.parse_args(argv)

    import torch

    if not torch.cuda.is_available() and not args.allow_cpu:
        print("没有检测到 CUDA：GPU 规模的记录必须在 GPU 上运行（只想测试本脚本时加 --allow-cpu）。", file=sys.stderr)
        return 2
    device, versions = device_and_versions()
    scale = "gpu" if torch.cuda.is_available() else "cpu"
    has_tf = importlib.util.find_spec("tensorflow") is not None and not args.skip_tf
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    runs = []
    for path in resolve(args.notebooks):
        run = {"device": device, "date": date, "versions": versions, **run_one(path, scale, has_tf, args.save_dir)}
        runs.append(run)
        print(f"{run['notebook']}: {run['status']} · {run['wall_s']} s · {len(run['figures'])} 个数字 · 跳过 TF 单元 {run['skipped_tf_cells']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merge(args.out, runs), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"已写入 {args.out}")
    return 0 if all(r["status"] == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
