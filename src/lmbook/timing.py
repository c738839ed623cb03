"""Timing and memory measurement used for every performance figure the book prints (recorded with :func:`lmbook.report`)."""
from __future__ import annotations

import statistics
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator

import psutil


@dataclass
class Timing:
    """Result of :func:`measure`: wall time over repeats, throughput and peak extra memory."""

    name: str
    times_s: list[float]
    items: float | None = None
    item_unit: str = "样本"
    peak_mem_bytes: int | None = None
    memory_kind: str = "RSS"

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def min_s(self) -> float:
        return min(self.times_s)

    @property
    def max_s(self) -> float:
        return max(self.times_s)

    @property
    def throughput(self) -> float | None:
        return None if self.items is None else self.items / self.median_s

    def __str__(self) -> str:
        text = (
            f"{self.name}: 中位数 {_fmt_s(self.median_s)}"
            f"（最小 {_fmt_s(self.min_s)}，最大 {_fmt_s(self.max_s)}，{len(self.times_s)} 次）"
        )
        if self.throughput is not None:
            text += f" · 吞吐 {self.throughput:,.0f} {self.item_unit}/s"
        if self.peak_mem_bytes is not None:
            text += f" · 峰值内存（{self.memory_kind}）+{self.peak_mem_bytes / 2**20:.1f} MiB"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(median_s=self.median_s, throughput=self.throughput)
        return data


def _fmt_s(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _cuda_sync(device: Any) -> Callable[[], None]:
    if device is not None and str(device).startswith("cuda"):
        import torch

        return torch.cuda.synchronize
    return lambda: None


class RssPeak:
    """Samples resident memory in a thread; reports the peak above the start.

    ``children=False`` watches this process; ``children=True`` the sum over its child
    processes (e.g. a notebook kernel started by nbclient, and whatever that kernel spawns).
    """

    def __init__(self, interval_s: float = 0.002, *, children: bool = False) -> None:
        self._proc = psutil.Process()
        self._children = children
        self._interval = interval_s
        self._stop = threading.Event()
        self.start_rss = self.peak_rss = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        if not self._children:
            return int(self._proc.memory_info().rss)
        total = 0
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # the child exited between listing and reading
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self._rss())
            time.sleep(self._interval)

    def __enter__(self) -> "RssPeak":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, self._rss())

    @property
    def extra(self) -> int:
        return self.peak_rss - self.start_rss


def _peak_memory(fn: Callable[[], Any], sync: Callable[[], None], is_cuda: bool) -> int:
    """Extra memory one call of ``fn`` needs at its peak.

    CUDA: PyTorch's peak allocation. CPU: the larger of Python/NumPy allocations traced by
    ``tracemalloc`` (exact) and the resident-set growth sampled every 2 ms (catches PyTorch
    and TensorFlow buffers, but can miss a peak that lasts less than a few milliseconds).
    """
    if is_cuda:
        import torch

        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        fn()
        sync()
        return int(torch.cuda.max_memory_allocated() - base)
    import tracemalloc

    tracemalloc.start()
    try:
        with RssPeak() as rss:
            fn()
        traced = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return max(traced, rss.extra)


def measure(
    fn: Callable[[], Any],
    *,
    name: str = "测量",
    repeat: int = 5,
    warmup: int = 1,
    items: float | None = None,
    item_unit: str = "样本",
    device: Any = None,
    memory: bool = True,
) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed.

    ``items`` per call gives a throughput. On a CUDA ``device`` the clock is read after
    synchronising. With ``memory=True`` one further untimed call measures the peak extra
    memory (see :func:`_peak_memory`).
    """
    if repeat < 1 or warmup < 0:
        raise ValueError(f"repeat 必须 ≥ 1、warmup 必须 ≥ 0，收到 repeat={repeat}、warmup={warmup}。")
    sync = _cuda_sync(device)
    for _ in range(warmup):
        fn()
    sync()
    is_cuda = device is not None and str(device).startswith("cuda")
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    peak: int | None = None
    kind = "CUDA" if is_cuda else "RSS"
    if memory:  # one more, untimed call: instrumentation must not slow the timed ones
        peak = _peak_memory(fn, sync, is_cuda)
    return Timing(name, times, items, item_unit, peak, kind)


@contextmanager
def timer(name: str = "用时", *, device: Any = None, verbose: bool = True) -> Iterator[dict[str, float]]:
    """Time one block: ``with timer("训练") as t: ...``; then ``t["seconds"]``."""
    sync = _cuda_sync(device)
    result: dict[str, float] = {}
    sync()
    start = time.perf_counter()
    try:
        yield result
    finally:
        sync()
        result["seconds"] = time.perf_counter() - start
        if verbose:
            print(f"{name}: {_fmt_s(result['seconds'])}")
