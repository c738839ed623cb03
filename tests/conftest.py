"""Fixtures shared by the test modules: one real build of the site per test session."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_site():
    """Build the whole site once (vendoring assets through npm) with every Sphinx warning an error."""
    result = subprocess.run(["bash", "tools/build_book.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return ROOT / "_build" / "html"
