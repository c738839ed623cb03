"""The workshop page (tools/workshop.py → book/workshop.md): fresh, and its schedules are sound."""
import subprocess
import sys

import nbformat

from nbscan import ROOT
from workshop import CLOSING, FORMATS, OPENING, Notebook, collect, goals, schedule, slow_cells


def test_page_is_fresh():
    result = subprocess.run([sys.executable, "tools/workshop.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def fake(i, minutes=60, priority=3):
    return Notebook(id=f"ch0{i}_x/01_y", title=f"笔记本 {i}", chapter=f"ch0{i}_x", in_toc=True, cpu_seconds=90.0,
                    reading_minutes=minutes, reading_stated=True, goals=[], pitfalls=[], slow_cells=[],
                    notes={"priority": priority})


def test_schedules_fit_their_days_and_keep_reading_order():
    notebooks = [fake(i, minutes=55, priority=1 + i % 3) for i in range(12)]
    assert notebooks[0].minutes == 60, "55 min reading + 2 min measured run, rounded up to 5 minutes"
    for fmt in FORMATS:
        days, left = schedule(fmt, notebooks)
        assert len(days) == fmt.days
        placed = [nb for nb in notebooks if any(nb.link == row[2] for day in days for row in day)]
        assert all(n.notes["priority"] <= fmt.max_priority for n in placed)
        assert sorted(placed + left, key=notebooks.index) == [n for n in notebooks], "every notebook placed or left"
        for day in days:
            assert day[0][0] == fmt.day_start and day[-1][1] <= fmt.day_end
            assert all(a[1] == b[0] for a, b in zip(day, day[1:])), "rows follow each other without gaps"
            assert day[-1][2] == CLOSING[1]
            labels = [row[2] for row in day]
            assert [label for _, _, label in fmt.breaks] == [x for x in labels if x in ("茶歇", "午餐")]
        assert days[0][0][2] == OPENING[1]
        order = [notebooks.index(n) for n in placed]
        assert order == sorted(order)


def test_the_book_fills_each_schedule():
    notebooks, _ = collect()
    for fmt in FORMATS:
        days, _ = schedule(fmt, notebooks)
        assert sum(row[2].startswith("[") for day in days for row in day) >= 1, f"{fmt.name} teaches nothing"


def test_goals_and_slow_cells_are_read_from_the_notebook():
    assert goals("# T\n\n**学习目标**\n\n- 会甲；\n- 能乙。\n\n**先修**：无") == ["会甲", "能乙"]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## 训练"),
        nbformat.v4.new_code_cell("train()", metadata={"execution": {
            "iopub.execute_input": "2026-11-24T21:31:00.000Z", "shell.execute_reply": "2026-11-24T21:31:32.400Z"}}),
        nbformat.v4.new_code_cell("fast()", metadata={"execution": {
            "iopub.execute_input": "2026-11-24T21:31:40.000Z", "shell.execute_reply": "2026-11-24T21:31:41.000Z"}}),
    ])
    assert slow_cells(nb) == [("训练", 30)]
