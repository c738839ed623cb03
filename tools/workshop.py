"""The workshop page (book/workshop.md): schedules and instructor notes generated from the notebooks.

What it reads, for every notebook listed in _toc.yml (new chapters join by themselves once listed):
* the measured CPU run time ``metadata.lmbook.cpu_seconds`` (written by ``make outputs``, tools/nbtiming.py)
  and the **预计用时** line's ``阅读与练习约 N 分钟`` (the author's estimate of reading + exercises);
* the title, the **学习目标** bullets, the titles of the 常见误区 / 原文勘误 boxes;
* the slowest cells of the last stored run (nbclient's ``metadata.execution`` timestamps) and the section they sit in;
* the hand-written instructor notes and the priorities in book/workshop.yml (optional for each notebook).

It writes Markdown between marker pairs in book/workshop.md::

    <!-- workshop:begin schedules --> … <!-- workshop:end -->
    <!-- workshop:begin notes --> … <!-- workshop:end -->

Usage:
    python tools/workshop.py           rewrite the generated parts
    python tools/workshop.py --check   exit 1 when they are stale (tests/test_workshop.py runs this)
"""
from __future__ import annotations

import datetime as dt
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from nbexec import NOTEBOOKS, ROOT, all_notebooks
from nbtiming import stated

PAGE = ROOT / "book" / "workshop.md"
NOTES = ROOT / "book" / "workshop.yml"
BLOCK = re.compile(r"(<!-- workshop:begin (?P<name>\w+) -->\n)(?P<body>.*?)(<!-- workshop:end -->)", re.S)
DEFAULT_READING_MIN = 45  # a notebook whose title states no 阅读与练习 time
SLOW_CELL_S = 10  # cells at least this slow (in the last `make outputs`) are listed for the instructor
PITFALL_RE = re.compile(r"^[`:]{3,}\{admonition\}\s*(?P<title>(常见误区|原文勘误)[^\n]*)$", re.M)


@dataclass
class Notebook:
    id: str  # chNN_x/NN_name
    title: str
    chapter: str  # chNN_x
    in_toc: bool
    cpu_seconds: float | None
    reading_minutes: int
    reading_stated: bool
    goals: list[str]
    pitfalls: list[str]
    slow_cells: list[tuple[str, int]]  # (section heading, seconds)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def run_minutes(self) -> int:
        return math.ceil(self.cpu_seconds / 60) if self.cpu_seconds is not None else 0

    @property
    def minutes(self) -> int:
        """Workshop time: the notes' ``minutes`` if given, else reading + exercises + measured run, in 5-minute steps."""
        if "minutes" in self.notes:
            return int(self.notes["minutes"])
        return 5 * math.ceil((self.reading_minutes + self.run_minutes) / 5)

    @property
    def link(self) -> str:
        return f"[{self.title}](../notebooks/{self.id}.ipynb)" if self.in_toc else f"{self.title}（尚未收入目录）"


# ----------------------------------------------------------------------------- reading the notebooks
def toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.add(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def _seconds(execution: dict[str, str]) -> float | None:
    try:
        start = dt.datetime.fromisoformat(execution["iopub.execute_input"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(execution["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def slow_cells(nb: nbformat.NotebookNode, threshold: float = SLOW_CELL_S) -> list[tuple[str, int]]:
    """(section heading, seconds rounded to 5 s) of the cells that took ``threshold`` seconds or more."""
    section, found = "开头", []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"^#{2,4} ", line):
                    section = line.lstrip("#").strip()
        elif cell.cell_type == "code":
            seconds = _seconds(cell.metadata.get("execution", {}))
            if seconds is not None and seconds >= threshold:
                found.append((section, int(5 * round(seconds / 5))))
    return found


def goals(head: str) -> list[str]:
    match = re.search(r"\*\*学习目标\*\*[：:]?\s*\n(?P<body>(?:\s*[-*] .*\n?)+)", head)
    if not match:
        return []
    return [re.sub(r"^\s*[-*]\s+", "", line).rstrip("；;。 ") for line in match["body"].splitlines() if line.strip()]


def read_notebook(path: Path, notes: dict[str, Any], in_toc: set[str]) -> Notebook:
    nb = nbformat.read(path, as_version=4)
    nid = path.relative_to(NOTEBOOKS).with_suffix("").as_posix()
    head = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    title = head.splitlines()[0].lstrip("# ").strip() if head else nid
    times = stated(nb)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return Notebook(
        id=nid, title=title, chapter=nid.split("/")[0], in_toc=f"notebooks/{nid}" in in_toc,
        cpu_seconds=nb.metadata.get("lmbook", {}).get("cpu_seconds"),
        reading_minutes=times["reading_minutes"] or DEFAULT_READING_MIN,
        reading_stated=times["reading_minutes"] is not None,
        goals=goals(head), pitfalls=[m["title"].strip() for m in PITFALL_RE.finditer(markdown)],
        slow_cells=slow_cells(nb), notes=(notes.get("notebooks") or {}).get(nid, {}) or {},
    )


def load_notes(path: Path = NOTES) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.is_file() else {}


def chapter_title(chapter: str) -> str:
    pages = sorted((ROOT / "book").glob(f"{chapter}*/index.md")) or sorted((ROOT / "book").glob(f"{chapter}/index.md"))
    if pages:
        first = pages[0].read_text(encoding="utf-8").splitlines()[0]
        return first.lstrip("# ").strip()
    return chapter


def chapter_label(chapter: str) -> str:
    number = int(re.match(r"ch(\d+)", chapter).group(1)) if re.match(r"ch(\d+)", chapter) else None
    return f"第 {number} 章" if number else "前言"


# ----------------------------------------------------------------------------- schedules
@dataclass(frozen=True)
class Format:
    name: str
    days: int
    day_start: int  # minutes after midnight
    day_end: int
    breaks: tuple[tuple[int, int, str], ...]  # (nominal start, minutes, label)
    max_priority: int


def hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


FORMATS = (
    Format("半天（约 3.5 小时）", 1, 9 * 60, 12 * 60 + 30, ((10 * 60 + 30, 15, "茶歇"),), 1),
    Format("一天（约 6.5 小时）", 1, 9 * 60, 17 * 60,
           ((10 * 60 + 30, 15, "茶歇"), (12 * 60, 60, "午餐"), (15 * 60, 15, "茶歇")), 2),
    Format("两天（约 13 小时）", 2, 9 * 60, 17 * 60,
           ((10 * 60 + 30, 15, "茶歇"), (12 * 60, 60, "午餐"), (15 * 60, 15, "茶歇")), 3),
)
OPENING = (20, "开场与环境自检：`make doctor`（或 `python -m lmbook.doctor`），第一个笔记本从头运行一遍")
CLOSING = (15, "小结与答疑：回顾本日的常见误区，布置课后练习（学生版笔记本）")


def priority(nb: Notebook) -> int:
    """1 = the half day's core, 2 = one day, 3 = two days; book/workshop.yml decides, else 3."""
    return int(nb.notes.get("priority", 3))


def schedule(fmt: Format, notebooks: list[Notebook]) -> tuple[list[list[tuple[int, int, str, str]]], list[Notebook]]:
    """Rows ``(start, end, what, remark)`` per day, and the notebooks that did not fit (for self-study)."""
    queue = [nb for nb in notebooks if priority(nb) <= fmt.max_priority]
    left = [nb for nb in notebooks if priority(nb) > fmt.max_priority]
    days = []
    for day in range(fmt.days):
        t, rows, pending_breaks = fmt.day_start, [], list(fmt.breaks)
        if day == 0:
            rows.append((t, t + OPENING[0], OPENING[1], ""))
            t += OPENING[0]
        while queue:
            nb = queue[0]
            while pending_breaks and t >= pending_breaks[0][0]:
                _, length, label = pending_breaks.pop(0)
                rows.append((t, t + length, label, ""))
                t += length
            reserve = sum(length for _, length, _ in pending_breaks) + CLOSING[0]
            if t + nb.minutes + reserve > fmt.day_end:
                break
            remark = f"运行约 {nb.run_minutes} 分钟（实测）" if nb.cpu_seconds is not None else "运行时间未实测"
            rows.append((t, t + nb.minutes, nb.link, remark))
            t += nb.minutes
            queue.pop(0)
        for _, length, label in pending_breaks:
            rows.append((t, t + length, label, ""))
            t += length
        rows.append((t, t + CLOSING[0], CLOSING[1], ""))
        days.append(rows)
    # what did not fit goes to self-study, in reading order
    left = sorted(queue + left, key=lambda nb: notebooks.index(nb))
    return days, left


def render_schedules(notebooks: list[Notebook]) -> str:
    out = []
    measured = sum(nb.cpu_seconds is not None for nb in notebooks)
    out.append(f"以下日程由 `make workshop` 根据 {len(notebooks)} 个笔记本生成（其中 {measured} 个有 `make outputs` 的实测运行时间）。"
               "每一段的时长 = 作者估计的阅读与练习时间 + 实测的 CPU 运行时间，取整到 5 分钟；"
               "`book/workshop.yml` 可以为某个笔记本指定工作坊用时（`minutes`）与优先级（`priority`：1 半天、2 一天、3 两天）。\n")
    for fmt in FORMATS:
        days, left = schedule(fmt, notebooks)
        out.append(f"### {fmt.name}\n")
        for i, rows in enumerate(days):
            if fmt.days > 1:
                out.append(f"**第 {i + 1} 天**\n")
            out.append("| 时间 | 内容 | 说明 |\n| --- | --- | --- |")
            out += [f"| {hm(a)}–{hm(b)} | {what} | {remark} |" for a, b, what, remark in rows]
            out.append("")
        if left:
            out.append("课后自学（本日程放不下）：" + "；".join(nb.link for nb in left) + "。\n")
    return "\n".join(out)


# ----------------------------------------------------------------------------- notes
def render_notes(notebooks: list[Notebook], notes: dict[str, Any]) -> str:
    out = []
    chapters: dict[str, list[Notebook]] = {}
    for nb in notebooks:
        chapters.setdefault(nb.chapter, []).append(nb)
    for chapter, nbs in chapters.items():
        info = (notes.get("chapters") or {}).get(chapter, {}) or {}
        label = chapter_label(chapter)
        out.append(f"### {label} {chapter_title(chapter)}\n" if label != "前言" else f"### {chapter_title(chapter)}\n")
        emphasise = info.get("emphasise") or [g for nb in nbs for g in nb.goals[:2]]
        out.append("**重点讲什么**\n")
        out += [f"- {item}" for item in emphasise]
        mistakes = list(info.get("mistakes") or [])
        boxes = [(nb, nb.pitfalls) for nb in nbs if nb.pitfalls]
        out.append("\n**学员常犯的错误**\n")
        out += [f"- {item}" for item in mistakes]
        if boxes:
            out.append("- 书中专门纠正的误区与原文错误，每个都配有一个“更正若是错的就会失败”的证明单元格，值得现场运行：")
            out += [f"  - {nb.link}：" + "；".join(pitfalls) for nb, pitfalls in boxes]
        if not mistakes and not boxes:
            out.append("- （本章还没有记录；写进 `book/workshop.yml` 的 `mistakes`。）")
        out.append("\n**耗时的单元格与替代做法**\n")
        slow = [(nb, section, s) for nb in nbs for section, s in nb.slow_cells]
        if slow:
            out += [f"- {nb.title}：「{section}」一节有一个单元格约 {s} 秒。现场不必等它：讲解时展示网站上这一节保存的输出"
                    "（就是预先算好的结果），请学员课后在自己的机器上运行。" for nb, section, s in slow]
        else:
            out.append(f"- 上次 `make outputs` 中本章没有超过 {SLOW_CELL_S} 秒的单元格，可以现场从头运行。")
        for item in info.get("show_instead") or []:
            out.append(f"- {item}")
        if info.get("tips"):
            out.append("\n**其他提示**\n")
            out += [f"- {item}" for item in info["tips"]]
        unstated = [nb.title for nb in nbs if not nb.reading_stated]
        if unstated:
            out.append(f"\n（{'、'.join(unstated)} 的标题单元格还没写“阅读与练习约 N 分钟”，日程暂按 {DEFAULT_READING_MIN} 分钟计。）")
        out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------- page
def collect() -> tuple[list[Notebook], dict[str, Any]]:
    notes = load_notes()
    in_toc = toc_files()
    notebooks = [read_notebook(p, notes, in_toc) for p in all_notebooks()]
    return [nb for nb in notebooks if nb.in_toc], notes  # a notebook joins once it is in _toc.yml (published)


def render_page(text: str, notebooks: list[Notebook], notes: dict[str, Any]) -> str:
    parts = {"schedules": render_schedules(notebooks), "notes": render_notes(notebooks, notes)}

    def replace(match: re.Match) -> str:
        if match["name"] not in parts:
            raise ValueError(f"book/workshop.md: unknown block {match['name']!r}")
        return match.group(1) + parts[match["name"]].rstrip() + "\n" + match.group(4)

    return BLOCK.sub(replace, text)


def main(argv: list[str]) -> int:
    notebooks, notes = collect()
    text = PAGE.read_text(encoding="utf-8")
    new = render_page(text, notebooks, notes)
    if "--check" in argv:
        if new != text:
            print("book/workshop.md is stale: run `make workshop` (python tools/workshop.py)", file=sys.stderr)
            return 1
        return 0
    if new != text:
        PAGE.write_text(new, encoding="utf-8")
        print("workshop: book/workshop.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
