"""tools/gpu_runner.py exercised on the CPU: as on a CUDA machine without TensorFlow, and as the GPU-scale dry run."""
import json
import subprocess
import sys

import pytest

import gpu_runner
from lmbook.results import validate_results
from nbscan import ROOT

torch = pytest.importorskip("torch")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA: the runner rightly does not refuse")
def test_refuses_without_cuda_unless_allowed(tmp_path):
    out = tmp_path / "r.json"
    result = subprocess.run([sys.executable, "tools/gpu_runner.py", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "没有检测到 CUDA" in result.stderr and not out.exists()


def test_records_figures_and_skips_tf_cells(tmp_path):
    out = tmp_path / "r.json"
    result = subprocess.run(
        [sys.executable, "tools/gpu_runner.py", "ch00_preface/01_quickstart.ipynb", "--allow-cpu", "--skip-tf",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert validate_results(data) == []
    (run,) = data["runs"]
    assert run["notebook"] == "ch00_preface/01_quickstart" and run["status"] == "ok" and run["scale"] == "cpu"
    assert run["cells"]["skipped"] >= 3 and run["cells"]["skipped_tags"] == ["tf"] and "tensorflow" in run["versions"]
    assert [f["key"] for f in run["figures"]] == ["PyTorch 矩阵乘 GFLOP/s"], "TF cells were skipped"
    assert run["figures"][0]["value"] > 0 and run["peak_gpu_memory_bytes"] is None


def test_gpu_scale_dry_run_of_one_training_notebook():
    """`make gpu-dryrun` on one notebook: GPU-scale configuration, capped steps, on the CPU, nothing written."""
    notebook = "ch00_preface/01_quickstart.ipynb"
    result = subprocess.run([sys.executable, "tools/gpu_runner.py", "--dry-run", "--skip-tf", notebook],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ch00_preface/01_quickstart: ok" in result.stdout and "已写入" not in result.stdout


def test_merge_replaces_same_notebook_and_device(tmp_path):
    out = tmp_path / "r.json"
    old = {"notebook": "a", "device": "H100", "wall_s": 1}
    keep = {"notebook": "b", "device": "H100", "wall_s": 2}
    out.write_text(json.dumps({"schema": 1, "runs": [old, keep]}), encoding="utf-8")
    merged = gpu_runner.merge(out, [{"notebook": "a", "device": "H100", "wall_s": 3}])
    assert [(r["notebook"], r["wall_s"]) for r in merged["runs"]] == [("a", 3), ("b", 2)]
