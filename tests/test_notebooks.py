"""Notebook hygiene that nbval does not check: stored outputs present and from one fresh run, no errors,
the skeleton of BOOK_DESIGN §4 in order, and the set-up cell in sync with _config.yml and the file's path."""
import re
from pathlib import Path

import nbformat
import pytest

from nbscan import ROOT, notebook_id
from nbexec import all_notebooks
from sync_notebooks import synced_source

NOTEBOOKS = all_notebooks()
IDS = [notebook_id(p) for p in NOTEBOOKS]
TEMPLATE = ROOT / "tools" / "templates" / "notebook.ipynb"


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ should hold the book's chapters"


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def path(request):
    return request.param


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_outputs_stored_from_one_fresh_run(path):
    counts = [c.execution_count for c in code_cells(nbformat.read(path, as_version=4))]
    assert None not in counts, "some code cells were never executed: run `make outputs`"
    assert counts == list(range(1, len(counts) + 1)), "execution counts are not one top-to-bottom run: run `make outputs`"


def test_no_error_outputs(path):
    for cell in code_cells(nbformat.read(path, as_version=4)):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"stored error output in cell:\n{cell.source[:200]}"


def skeleton_problems(nb) -> list[str]:
    """What is missing or out of order in a notebook's skeleton (BOOK_DESIGN §4); empty when it is right."""
    problems = []
    cells = nb.cells
    if not (cells and cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")):
        return ["第一个单元格必须是以 “# ” 开头的标题"]
    head = cells[0].source
    positions = [head.find(f"**{word}**") for word in ("学习目标", "先修", "预计用时")]
    if -1 in positions or positions != sorted(positions):
        problems.append("标题单元格要依次有 **学习目标**、**先修**、**预计用时**（加粗的小标题）")
    if len(cells) < 2 or cells[1].cell_type != "code" or "lmbook.setup(" not in cells[1].source:
        problems.append("第二个单元格必须是准备环境单元格（lmbook.setup(...)）")
    headings = [(i, line.strip()) for i, c in enumerate(cells) if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    order = [h for _, h in headings]
    for required in ("## 小结", "## 练习"):
        if required not in order:
            problems.append(f"缺少二级标题 {required}")
    if "## 小结" in order and "## 练习" in order and order.index("## 小结") > order.index("## 练习"):
        problems.append("## 小结 应在 ## 练习 之前")
    if "## 练习" in order:
        start = next(i for i, h in headings if h == "## 练习")
        after = "\n".join(c.source for c in cells[start:] if c.cell_type == "markdown")
        if not re.search(r":class: dropdown", after):
            problems.append("## 练习 之后要有折叠的参考答案（:class: dropdown）")
    record = [i for i, c in enumerate(cells) if c.cell_type == "code" and "lmbook.show_gpu_results(env)" in c.source]
    if not record:
        problems.append("缺少 GPU 规模的记录单元格：lmbook.show_gpu_results(env)")
    elif "## 小结" in order and record[0] > next(i for i, h in headings if h == "## 小结"):
        problems.append("GPU 规模的记录应在 ## 小结 之前")
    return problems


def test_skeleton(path):
    problems = skeleton_problems(nbformat.read(path, as_version=4))
    assert not problems, "\n".join(problems)


def test_template_has_the_skeleton():
    assert skeleton_problems(nbformat.read(TEMPLATE, as_version=4)) == []


def test_skeleton_check_can_fail():
    nb = nbformat.read(TEMPLATE, as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("## 练习", "见练习 2").replace("**先修**", "先修")
    problems = "\n".join(skeleton_problems(nb))
    assert "缺少二级标题 ## 练习" in problems and "**学习目标**、**先修**" in problems


def test_setup_cell_is_in_sync(path):
    nb = nbformat.read(path, as_version=4)
    first = code_cells(nb)[0].source
    assert synced_source(first, notebook_id(path)) == first, "run `python tools/sync_notebooks.py`"
    assert f'notebook="{notebook_id(path)}"' in first


def test_no_widget_state_without_static_figure(path):
    """A cell that shows a widget must also show a static image (BOOK_DESIGN §4.5)."""
    widget = "application/vnd.jupyter.widget-view+json"
    for cell in code_cells(nbformat.read(path, as_version=4)):
        data = [o.get("data", {}) for o in cell.outputs]
        # tqdm progress bars are widgets too; they need no static figure
        widgets = [d for d in data if widget in d and "%|" not in d.get("text/plain", "")]
        if widgets:
            assert any("image/png" in d for d in data), f"widget without a static figure:\n{cell.source[:200]}"


# ---------------------------------------------------------------- measured run time (tools/nbtiming.py)
from nbtiming import load_gpu_results, record_cpu_run, stale, stamp, stated  # noqa: E402

GPU_RESULTS = load_gpu_results()


def test_stated_time_matches_metadata(path):
    """A notebook run by `make outputs` states the time it measured (metadata.lmbook), not a typed one."""
    nb = nbformat.read(path, as_version=4)
    if "cpu_seconds" not in nb.metadata.get("lmbook", {}):
        pytest.skip("no measured time yet: `make outputs` writes it")
    problem = stale(path, GPU_RESULTS)
    assert problem is None, f"{problem}\n不要手写这两段：运行 `python tools/nbtiming.py {path.relative_to(ROOT)}`（或 `make outputs NB=…`）"
    assert stated(nb)["cpu_seconds"] == round(nb.metadata["lmbook"]["cpu_seconds"])


def test_template_time_line_is_machine_writable():
    nb = nbformat.read(TEMPLATE, as_version=4)
    assert stated(nb)["cpu_seconds"] is None, "the template states no measured time"
    record_cpu_run(nb, 97.4, "2 个逻辑核的 x86_64 CPU（测试），无 GPU", 2**30)
    gpu = {"runs": [{"notebook": "chNN_topic/NN_name", "scale": "gpu", "dry_run": False, "status": "ok",
                     "wall_s": 30.2, "device": "NVIDIA H200", "date": "2026-12-01"}]}
    assert stamp(nb, "chNN_topic/NN_name", gpu)
    assert stated(nb) | {"reading_minutes": None} == {"cpu_seconds": 97, "cpu_minutes": 2, "gpu_seconds": 30,
                                                       "reading_minutes": None}
    assert not stamp(nb, "chNN_topic/NN_name", gpu), "stamping twice changes nothing"
    assert skeleton_problems(nb) == []


# ── Colab: every package a notebook (or the library it imports) needs is installed by the set-up cell ──
# Colab ships these (and their dependencies); the set-up cell installs lmbook with COLAB_EXTRAS on top.
COLAB_PREINSTALLED = {"torch", "tensorflow", "keras", "transformers", "ipython", "scipy", "packaging",
                      "pydantic"}  # pydantic: also required by fastapi


def third_party_imports(source: str) -> set[str]:
    """Top-level module names imported by ``source`` (IPython magics blanked, stdlib and lmbook left out)."""
    import ast
    import sys

    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.splitlines()]
    names: set[str] = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "lmbook"}


def installed_on_colab() -> set[str]:
    """Distribution names (normalised) that a Colab runtime has after the set-up cell."""
    import tomllib

    from sync_notebooks import COLAB_EXTRAS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in COLAB_EXTRAS.split(","):
        requirements += project["optional-dependencies"][extra]
    names = {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0] for r in requirements}
    return {n.lower().replace("_", "-") for n in names | COLAB_PREINSTALLED}


def test_colab_installs_every_imported_package():
    from importlib.metadata import packages_distributions

    sources = [c.source for p in NOTEBOOKS for c in code_cells(nbformat.read(p, as_version=4))]
    sources += [f.read_text(encoding="utf-8") for f in sorted((ROOT / "src" / "lmbook").glob("*.py"))]
    modules = set().union(*(third_party_imports(s) for s in sources))
    dists = packages_distributions()
    available = installed_on_colab()
    missing = {m: dists.get(m, ["?"]) for m in modules
               if not {d.lower().replace("_", "-") for d in dists.get(m, [m])} & available}
    assert not missing, (f"imported but not installed on Colab: {missing}; add the distribution to an extra in "
                         "COLAB_EXTRAS (tools/sync_notebooks.py) or to the core dependencies in pyproject.toml")


def test_colab_import_check_can_fail():
    assert third_party_imports("import lightgbm\nif x:\n    %pip install y\nfrom .a import b") == {"lightgbm"}
    assert "lightgbm" not in installed_on_colab()
