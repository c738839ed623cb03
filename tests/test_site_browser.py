"""A real browser (the system Chromium, driven by playwright) opens every page of the built site with the
network off, served under the GitHub Pages sub-path, and from file:// (tools/check_site.py)."""
import os
import shutil

import pytest

from check_site import ROOT, check, chromium_path

SCREENSHOTS = ROOT / "_build" / "screenshots"


def test_every_page_loads_offline_under_the_sub_path(built_site):
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for this test: tools/install_browser.sh (run by .ci/run)")
        pytest.skip("no Chromium here: bash tools/install_browser.sh")
    pytest.importorskip("playwright")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    reports = check(built_site, screenshots=SCREENSHOTS)
    problems = [f"{r.page}: {p}" for r in reports for p in r.problems]
    assert not problems, "\n".join(problems[:40])
    assert sum(r.diagrams for r in reports) >= 1 and sum(r.math for r in reports) >= 1
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 4, "screenshots are kept as artefacts"
