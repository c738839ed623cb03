"""Measured run times in the notebooks: written by the tools, never typed.

``tools/run_notebooks.py`` (``make outputs``) stores, after each run at CPU scale, what it measured in the
notebook's metadata::

    nb.metadata["lmbook"] = {"cpu_seconds": 97.3, "cpu_machine": "2 个逻辑核的 x86_64 CPU（…），无 GPU",
                             "cpu_peak_gib": 1.4, "cpu_date": "2026-11-30"}

and rewrites the **预计用时** line of the title cell from it (and from the GPU record in
``src/lmbook/results/gpu_results.json`` where one exists). The line's format, which tests and the workshop
page parse, is::

    **预计用时**：CPU 上实测约 2 分钟（97 秒；2 个逻辑核的 x86_64 CPU（…），无 GPU）；GPU 规模实测约 1 分钟（41 秒；NVIDIA H200，2026-12-01）；阅读与练习约 60 分钟。

* the first segment (``CPU 上实测约 N 分钟（S 秒；机器）``) comes from ``cpu_seconds`` / ``cpu_machine``;
* the second is ``GPU 规模实测约 N 分钟（S 秒；设备，日期）`` from the latest GPU record, or
  ``GPU 规模尚无实测记录`` when none exists;
* every other segment is the author's and is kept as written — above all ``阅读与练习约 N 分钟``,
  the time a reader or a workshop spends on the text and the exercises (it cannot be measured).

Segments the author wrote about run time (``CPU 上运行约 …``, ``Colab GPU 上约 …``) are replaced. Usage:
    python tools/nbtiming.py [NB ...]           re-render the stated times from metadata and GPU records
    python tools/nbtiming.py --check [NB ...]   exit 1 if a notebook that has metadata states another time
(without NB: every notebook). `make times` runs the first form.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import sys
from pathlib import Path
from typing import Any, Mapping

import nbformat

from nbexec import NOTEBOOKS, ROOT, resolve

LABEL = "**预计用时**："
LINE_RE = re.compile(r"^\*\*预计用时\*\*[：:](?P<body>.*)$", re.M)
CPU_RE = re.compile(r"^CPU 上实测约 (?P<min>\d+) 分钟（(?P<sec>\d+) 秒；(?P<machine>.*)）$")
GPU_RE = re.compile(r"^GPU 规模实测约 (?P<min>\d+) 分钟（(?P<sec>\d+) 秒；(?P<device>.*)）$")
NO_GPU = "GPU 规模尚无实测记录"
READING_RE = re.compile(r"阅读与练习约\s*(?P<min>\d+)\s*分钟")
#: an author's segment about run time, replaced by the measured ones
TIMING_SEGMENT = re.compile(r"^(CPU|Colab GPU|GPU)")


def minutes(seconds: float) -> int:
    """Whole minutes a reader should plan for: rounded up, at least 1."""
    return max(1, math.ceil(seconds / 60))


def split_segments(body: str) -> list[str]:
    """The ``；``-separated segments of the line, ignoring ``；`` inside parentheses; trailing ``。`` removed."""
    body = body.strip().removesuffix("。")
    segments, depth, current = [], 0, ""
    for ch in body:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        if ch == "；" and depth <= 0:
            segments.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        segments.append(current.strip())
    return segments


def _clean(text: str) -> str:
    return re.sub(r"[；\n]", "，", text).strip()


def cpu_segment(meta: Mapping[str, Any]) -> str:
    seconds = float(meta["cpu_seconds"])
    return f"CPU 上实测约 {minutes(seconds)} 分钟（{round(seconds)} 秒；{_clean(meta.get('cpu_machine', '未记录机器'))}）"


def latest_gpu_run(notebook: str, results: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The newest successful, non-dry GPU-scale run recorded for ``notebook`` (an id such as ``ch01_x/01_y``)."""
    runs = [r for r in (results or {}).get("runs", []) if r.get("notebook") == notebook
            and r.get("scale") == "gpu" and not r.get("dry_run") and r.get("status") == "ok"]
    return max(runs, key=lambda r: r.get("date", "")) if runs else None


def gpu_segment(run: Mapping[str, Any] | None) -> str:
    if run is None:
        return NO_GPU
    seconds = float(run["wall_s"])
    return f"GPU 规模实测约 {minutes(seconds)} 分钟（{round(seconds)} 秒；{_clean(run['device'])}，{run['date']}）"


def render_line(body: str, meta: Mapping[str, Any], gpu_run: Mapping[str, Any] | None) -> str:
    """The whole **预计用时** line: measured CPU and GPU segments first, then the author's other segments."""
    kept = [s for s in split_segments(body) if not TIMING_SEGMENT.match(s)]
    return LABEL + "；".join([cpu_segment(meta), gpu_segment(gpu_run), *kept]) + "。"


def notebook_id(path: Path) -> str:
    return path.resolve().relative_to(NOTEBOOKS).with_suffix("").as_posix()


def stamp(nb: nbformat.NotebookNode, notebook: str, results: Mapping[str, Any] | None) -> bool:
    """Rewrite the **预计用时** line of ``nb`` from its metadata; True when the text changed.

    A notebook without ``metadata.lmbook.cpu_seconds`` (never run by ``make outputs`` since this tool
    exists) is left as it is.
    """
    meta = nb.metadata.get("lmbook", {})
    if "cpu_seconds" not in meta or not nb.cells or nb.cells[0].cell_type != "markdown":
        return False
    head = nb.cells[0].source
    match = LINE_RE.search(head)
    if not match:
        return False
    line = render_line(match.group("body"), meta, latest_gpu_run(notebook, results))
    new = head[: match.start()] + line + head[match.end():]
    changed = new != head
    nb.cells[0].source = new
    return changed


def record_cpu_run(nb: nbformat.NotebookNode, seconds: float, machine: str, peak_bytes: int | None = None,
                   date: dt.date | None = None) -> None:
    """Store one measured CPU-scale run in the notebook's metadata (``metadata.lmbook``)."""
    meta = dict(nb.metadata.get("lmbook", {}))
    meta.update(cpu_seconds=round(float(seconds), 1), cpu_machine=machine,
                cpu_date=(date or dt.date.today()).isoformat())
    if peak_bytes is not None:
        meta["cpu_peak_gib"] = round(peak_bytes / 2**30, 2)
    nb.metadata["lmbook"] = meta


def stated(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """What the title cell states: ``{"cpu_seconds", "cpu_minutes", "gpu_seconds", "reading_minutes"}`` (None if absent)."""
    out: dict[str, Any] = {"cpu_seconds": None, "cpu_minutes": None, "gpu_seconds": None, "reading_minutes": None}
    head = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    match = LINE_RE.search(head)
    if not match:
        return out
    for segment in split_segments(match.group("body")):
        if m := CPU_RE.match(segment):
            out.update(cpu_seconds=int(m["sec"]), cpu_minutes=int(m["min"]))
        elif m := GPU_RE.match(segment):
            out["gpu_seconds"] = int(m["sec"])
        elif m := READING_RE.search(segment):
            out["reading_minutes"] = int(m["min"])
    return out


def stale(path: Path, results: Mapping[str, Any] | None) -> str | None:
    """Why the stated time of ``path`` disagrees with its metadata, or None when it agrees (or has no metadata)."""
    nb = nbformat.read(path, as_version=4)
    before = nb.cells[0].source if nb.cells else ""
    if not stamp(nb, notebook_id(path), results):
        return None
    return f"{path.relative_to(ROOT)}：标题里的预计用时与元数据不符，应为\n  {LINE_RE.search(nb.cells[0].source).group(0)}\n" \
           f"  实为\n  {(LINE_RE.search(before) or [''])[0]}"


def load_gpu_results() -> dict[str, Any]:
    from lmbook.results import load_results

    return load_results()


def main(argv: list[str]) -> int:
    results = load_gpu_results()
    if "--check" in argv:
        problems = [p for p in (stale(path, results) for path in resolve([a for a in argv if a != "--check"])) if p]
        print("\n".join(problems) or "nbtiming: every stated time matches its metadata")
        return 1 if problems else 0
    for path in resolve([a for a in argv if not a.startswith("--")]):
        nb = nbformat.read(path, as_version=4)
        if stamp(nb, notebook_id(path), results):
            nbformat.write(nb, path)
            print(f"nbtiming: {path.relative_to(ROOT)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
