"""lmbook.results: the one owner of the recorded-figures format."""
import json

import pytest

import lmbook
from lmbook.env import NotebookEnv
from lmbook.results import (REPORT_ENV_VAR, load_results, read_report_file, report, report_config, runs_for,
                            show_gpu_results, validate_results)
from lmbook.scale import Scale

RUN = {
    "notebook": "ch00_preface/01_quickstart", "device": "NVIDIA H100 80GB HBM3", "driver": "570.1", "date": "2026-01-01",
    "versions": {"torch": "2.11.0"}, "scale": "gpu", "dry_run": False, "wall_s": 12.5,
    "peak_gpu_memory_bytes": 3 * 2**30, "status": "ok",
    "cells": {"total": 12, "skipped": 3, "skipped_tags": ["tf"], "keras_backend": None},
    "configs": [{"name": "矩阵乘", "values": {"n": 8192}}],
    "figures": [{"key": "matmul TFLOP/s", "value": 650.0, "unit": "TFLOP/s", "note": ""}],
}
DOC = {"schema": 1, "runs": [RUN]}


def test_report_and_config_lines(tmp_path, monkeypatch, capsys):
    path = tmp_path / "figures.jsonl"
    monkeypatch.setenv(REPORT_ENV_VAR, str(path))
    assert report("准确率", 0.97, note="测试集") == 0.97
    report_config("MLP", {"width": 128, "lr": 1e-3, "dtype": object()})
    figures, configs = read_report_file(path)
    assert figures == [{"key": "准确率", "value": 0.97, "unit": "", "note": "测试集"}]
    assert configs[0]["name"] == "MLP" and configs[0]["values"]["width"] == 128
    out = capsys.readouterr().out
    assert "[记录] 准确率 = 0.97" in out and "实验配置「MLP」：width=128，lr=0.001" in out


def test_report_without_runner_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(REPORT_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    report("x", 1.0)
    assert list(tmp_path.iterdir()) == []


def test_validate_accepts_a_good_document_and_names_every_problem():
    assert validate_results(DOC) == []
    broken = {"schema": 1, "runs": [{**RUN, "date": "yesterday", "wall_s": "fast", "extra": 1,
                                     "figures": [{"key": "x", "value": float("nan")}]}]}
    del broken["runs"][0]["device"]
    problems = "\n".join(validate_results(broken))
    for expected in ("缺少字段 device", "wall_s 的类型", "未定义的字段 ['extra']", "不是有限数", "YYYY-MM-DD"):
        assert expected in problems
    assert validate_results({"runs": {}}) == ["schema 应为 1，实际 None", "runs 必须是列表"]


def test_committed_results_file_is_valid_if_present():
    path = lmbook.results.results_path()
    data = load_results()
    if path.is_file():
        assert data["runs"], "a committed results file holds at least one run"
        assert validate_results(data) == []
        assert all(run["scale"] == "gpu" and not run["dry_run"] for run in data["runs"]), "CPU or dry runs are never committed"
    else:
        assert data == {"schema": 1, "runs": []}


def test_show_uses_the_notebook_identity_of_env(capsys):
    env = NotebookEnv(scale=Scale.CPU, colab=False, online=False, seed=0, notebook="ch00_preface/01_quickstart")
    show_gpu_results(env, DOC)
    out = capsys.readouterr().out
    assert "NVIDIA H100 80GB HBM3" in out and "matmul TFLOP/s = 650 TFLOP/s" in out and "12.5 s" in out
    assert "3.00 GiB" in out and "标签 tf" in out and "配置「矩阵乘」：n=8192" in out
    assert runs_for("ch00_preface/01_quickstart.ipynb", DOC) == [RUN]


def test_show_missing_or_unknown(capsys):
    show_gpu_results("nope/none", DOC)
    assert "nope/none：还没有 GPU 规模的记录" in capsys.readouterr().out
    show_gpu_results(NotebookEnv(scale=Scale.CPU, colab=False, online=False, seed=0), DOC)
    assert "tools/sync_notebooks.py" in capsys.readouterr().out


def test_json_round_trip_keeps_chinese(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8")
    assert load_results(path) == DOC
