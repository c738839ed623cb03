import time

import pytest

from lmbook import measure, timer
from lmbook.timing import Timing


def test_measure_counts_calls_and_repeats():
    calls = []
    t = measure(lambda: calls.append(1), repeat=4, warmup=2, memory=False)
    assert len(calls) == 6 and len(t.times_s) == 4
    assert t.min_s <= t.median_s <= t.max_s


def test_measure_time_and_throughput():
    t = measure(lambda: time.sleep(0.01), repeat=3, warmup=0, items=100, memory=False)
    assert 0.009 < t.median_s < 0.2
    assert t.throughput == pytest.approx(100 / t.median_s)


def test_measure_sees_memory_growth():
    import numpy as np

    t = measure(lambda: np.ones(64 * 2**20 // 8).sum(), repeat=2, warmup=0)
    assert t.peak_mem_bytes is not None and t.peak_mem_bytes > 32 * 2**20


def test_measure_rejects_bad_repeat():
    with pytest.raises(ValueError, match="repeat 必须 ≥ 1"):
        measure(lambda: None, repeat=0)


def test_timing_str_is_chinese_and_complete():
    t = Timing("前向", [0.002, 0.001, 0.003], items=10, peak_mem_bytes=2 * 2**20)
    assert str(t) == "前向: 中位数 2.0 ms（最小 1.0 ms，最大 3.0 ms，3 次） · 吞吐 5,000 样本/s · 峰值内存（RSS）+2.0 MiB"
    assert t.to_dict()["median_s"] == 0.002


def test_timer_context(capsys):
    with timer("睡眠") as t:
        time.sleep(0.005)
    assert t["seconds"] >= 0.005
    assert capsys.readouterr().out.startswith("睡眠: ")


def test_rss_peak_of_child_processes():
    import subprocess
    import sys

    from lmbook.timing import RssPeak

    with RssPeak(0.02, children=True) as mem:
        subprocess.run([sys.executable, "-c", "import time; b = bytearray(200 * 2**20); time.sleep(0.5)"], check=True)
    assert mem.start_rss == 0 and mem.peak_rss > 150 * 2**20
