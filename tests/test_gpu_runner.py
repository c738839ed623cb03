"""tools/gpu_runner.py, exercised on the CPU (--allow-cpu) as it would run on a CUDA machine without TensorFlow."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import gpu_runner  # noqa: E402


def test_refuses_without_cuda_unless_allowed(tmp_path):
    import torch

    if torch.cuda.is_available():
        return
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
    (run,) = json.loads(out.read_text(encoding="utf-8"))["runs"]
    assert run["notebook"] == "ch00_preface/01_quickstart.ipynb" and run["status"] == "ok"
    assert run["skipped_tf_cells"] >= 3 and "tensorflow" in run["versions"]
    keys = [f["key"] for f in run["figures"]]
    assert keys == ["PyTorch 矩阵乘 GFLOP/s"], "TF cells were skipped, so only the PyTorch figure is reported"
    assert run["figures"][0]["value"] > 0


def test_merge_replaces_same_notebook_and_device(tmp_path):
    out = tmp_path / "r.json"
    old = {"notebook": "a.ipynb", "device": "H100", "wall_s": 1}
    keep = {"notebook": "b.ipynb", "device": "H100", "wall_s": 2}
    out.write_text(json.dumps({"runs": [old, keep]}), encoding="utf-8")
    merged = gpu_runner.merge(out, [{"notebook": "a.ipynb", "device": "H100", "wall_s": 3}])
    assert [(r["notebook"], r["wall_s"]) for r in merged["runs"]] == [("a.ipynb", 3), ("b.ipynb", 2)]
