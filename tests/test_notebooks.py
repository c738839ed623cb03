"""Notebook hygiene that nbval does not check: stored outputs present and fresh-run shaped, no errors,
the skeleton of BOOK_DESIGN §4, and the Colab install line pointing at the repository in _config.yml."""
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from nbexec import all_notebooks  # noqa: E402
from sync_repo_url import INSTALL_RE, install_target  # noqa: E402

NOTEBOOKS = all_notebooks()
IDS = [p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ should hold the book's chapters"


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def nb(request):
    return nbformat.read(request.param, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_outputs_stored_from_one_fresh_run(nb):
    counts = [c.execution_count for c in code_cells(nb)]
    assert None not in counts, "some code cells were never executed: run `make outputs`"
    assert counts == list(range(1, len(counts) + 1)), "execution counts are not one top-to-bottom run: run `make outputs`"


def test_no_error_outputs(nb):
    for cell in code_cells(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"stored error output in cell:\n{cell.source[:200]}"


def test_skeleton(nb):
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "first cell: the title"
    for heading in ("学习目标", "先修", "预计用时", "小结", "练习"):
        assert heading in md, f"missing section {heading}"
    assert re.search(r":class: dropdown|{toggle}|```{admonition}[^\n]*\n:class: dropdown", md), "exercises need hidden solutions"
    first_code = code_cells(nb)[0].source
    assert "lmbook.setup(" in first_code, "the first code cell is the set-up cell"


def test_colab_install_line_matches_config(nb):
    first_code = code_cells(nb)[0].source
    found = INSTALL_RE.findall(first_code)
    assert found == [install_target()], "run `python tools/sync_repo_url.py` after changing _config.yml"


def test_no_widget_state_without_static_figure(nb):
    """A cell that shows a widget must also show a static image (BOOK_DESIGN §4.5)."""
    widget = "application/vnd.jupyter.widget-view+json"
    for cell in code_cells(nb):
        data = [o.get("data", {}) for o in cell.outputs]
        # tqdm progress bars are widgets too; they need no static figure
        widgets = [d for d in data if widget in d and "%|" not in d.get("text/plain", "")]
        if widgets:
            assert any("image/png" in d for d in data), f"widget without a static figure:\n{cell.source[:200]}"
