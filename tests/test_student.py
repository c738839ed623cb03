"""Student notebooks (tools/student_notebooks.py): the exercises stay, every solution goes, and what is left
still runs — every kept code cell is the full notebook's cell (which nbval runs), no kept cell needs a name only
a removed solution defines, and one student notebook is executed for real."""
import nbformat
import pytest

from lmbook.env import CPU_TEST_ENV
from nbexec import all_notebooks, execute
from nbscan import notebook_id
from student_notebooks import (NOTE, SOLUTION_TAG, dependency_problems, main, strip_markdown, strip_solutions,
                               surviving_solution_text, write_student)

NOTEBOOKS = all_notebooks()

EXERCISES = """## 练习

1. 算一算 $2+2$。

```{admonition} 原文勘误：答案不是 5
:class: warning
这个框不是答案，要留下。
```

````{admonition} 参考答案
:class: dropdown
1. 结果是四，因为二加二等于四。
```python
print(2 + 2)  # 里面的代码围栏不会提前结束答案
```
````

:::{dropdown} 答案（第 2 题）
第二题的解答写在这里，也要删掉。
:::
"""


def test_markdown_solutions_are_removed_and_the_rest_kept():
    text, removed = strip_markdown(EXERCISES)
    assert len(removed) == 2
    assert "结果是四" not in text and "print(2 + 2)" not in text and "第二题的解答" not in text
    assert "算一算" in text and "原文勘误：答案不是 5" in text and "这个框不是答案" in text
    assert text.count(NOTE) == 2


def nb_with_solution_cell(used_later: bool):
    cells = [nbformat.v4.new_code_cell("import math\nx = 1"),
             nbformat.v4.new_markdown_cell(EXERCISES),
             nbformat.v4.new_code_cell("answer = math.sqrt(x)\nprint(answer)", metadata={"tags": [SOLUTION_TAG]}),
             nbformat.v4.new_code_cell("print(answer)" if used_later else "answer = 2\nprint(answer, x)")]
    return nbformat.v4.new_notebook(cells=cells)


def test_solution_cells_are_removed():
    stripped = strip_solutions(nb_with_solution_cell(False))
    sources = [c.source for c in stripped.nb.cells]
    assert "answer = math.sqrt(x)\nprint(answer)" not in sources and NOTE in sources
    assert len(stripped.removed_cells) == 1 and len(stripped.removed_blocks) == 2
    assert stripped.nb.metadata["lmbook"]["edition"] == "student"


def test_a_kept_cell_that_needs_a_removed_definition_is_caught():
    assert dependency_problems(nb_with_solution_cell(False)) == []  # the last cell defines `answer` itself
    problems = dependency_problems(nb_with_solution_cell(True))
    assert len(problems) == 1 and "'answer'" in problems[0]


def test_the_tool_never_writes_into_notebooks(tmp_path):
    with pytest.raises(SystemExit):
        main(["--out", "notebooks"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[notebook_id(p) for p in NOTEBOOKS])
def test_student_version(path, tmp_path):
    full = nbformat.read(path, as_version=4)
    target, stripped = write_student(path, tmp_path)
    student = nbformat.read(target, as_version=4)
    has_exercises = any(c.cell_type == "markdown" and "## 练习" in c.source for c in full.cells)
    if has_exercises:
        assert stripped.removed_blocks or stripped.removed_cells, "练习有参考答案（折叠），学生版要删去它"
        assert any("## 练习" in c.source for c in student.cells), "the exercises stay"
    again = strip_solutions(student)
    assert not again.removed_blocks and not again.removed_cells, "no solution block survives"
    assert surviving_solution_text(full, stripped) == []
    kept = [c.source for c in full.cells if c.cell_type == "code" and SOLUTION_TAG not in c.metadata.get("tags", [])]
    assert [c.source for c in student.cells if c.cell_type == "code"] == kept, "kept code cells are the full notebook's"
    assert dependency_problems(full) == []


def smallest_notebook():
    """The notebook `make outputs` measured fastest (the quick-start one until times are recorded)."""
    timed = [(nbformat.read(p, as_version=4).metadata.get("lmbook", {}).get("cpu_seconds"), p) for p in NOTEBOOKS]
    timed = [(s, p) for s, p in timed if s is not None]
    return min(timed)[1] if timed else next(p for p in NOTEBOOKS if p.name == "01_quickstart.ipynb")


def test_a_student_notebook_runs_to_the_end(tmp_path):
    path = smallest_notebook()
    target, _ = write_student(path, tmp_path, clear_outputs=True)
    nb, _seconds = execute(target, {**CPU_TEST_ENV, "MPLBACKEND": "agg"})
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
