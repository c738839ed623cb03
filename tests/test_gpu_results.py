from lmbook.gpu_results import load_results, runs_for, show_gpu_results

RESULTS = {
    "runs": [
        {
            "notebook": "ch00_preface/01_quickstart.ipynb",
            "device": "NVIDIA H100 80GB HBM3",
            "date": "2026-01-01",
            "versions": {"torch": "2.11.0"},
            "wall_s": 12.5,
            "status": "ok",
            "figures": [{"key": "matmul TFLOP/s", "value": 650.0, "unit": "TFLOP/s"}],
        }
    ]
}


def test_committed_file_is_valid():
    data = load_results()
    assert isinstance(data["runs"], list)
    for run in data["runs"]:
        assert {"notebook", "device", "date", "versions", "wall_s", "status", "figures"} <= set(run)


def test_show_recorded(capsys):
    show_gpu_results("ch00_preface/01_quickstart.ipynb", RESULTS)
    out = capsys.readouterr().out
    assert "NVIDIA H100 80GB HBM3" in out and "matmul TFLOP/s = 650 TFLOP/s" in out and "12.5 s" in out


def test_show_missing_says_how_to_record(capsys):
    assert runs_for("nope.ipynb", RESULTS) == []
    show_gpu_results("nope.ipynb", RESULTS)
    assert "还没有 GPU 规模的记录" in capsys.readouterr().out
