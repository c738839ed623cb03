"""The book: configuration invariants, citations, and a real build with warnings as errors."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
HTML = ROOT / "_build" / "html"


def toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for value in node.values():
            yield from toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from toc_files(item)


def test_config_invariants():
    assert CONFIG["execute"]["execute_notebooks"] == "off", "the site renders stored outputs"
    assert CONFIG["only_build_toc_files"] is True
    assert CONFIG["sphinx"]["config"]["language"] == "zh_CN"
    assert "sphinxcontrib.mermaid" in CONFIG["sphinx"]["extra_extensions"]
    assert CONFIG["repository"]["url"].startswith("https://github.com/")


def test_toc_lists_only_existing_pages():
    files = [TOC["root"], *toc_files(TOC["parts"])]
    for name in files:
        assert any((ROOT / f"{name}{ext}").is_file() for ext in (".md", ".ipynb")), f"_toc.yml lists missing {name}"


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files(TOC["parts"]))
    for path in (ROOT / "notebooks").glob("*/*.ipynb"):
        assert path.relative_to(ROOT).with_suffix("").as_posix() in listed, f"{path} is not in _toc.yml"


def bib_entries():
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    return dict(re.findall(r"@\w+\{([^,]+),(.*?)\n\}", text, flags=re.S))


def test_bibliography_entries_are_verifiable():
    for key, body in bib_entries().items():
        assert re.search(r"\b(eprint|doi|isbn)\s*=", body, flags=re.I), f"{key}: needs an arXiv id, DOI or ISBN"


def test_every_citation_exists():
    keys = set(bib_entries())
    sources = [*ROOT.glob("book/**/*.md"), *ROOT.glob("notebooks/**/*.ipynb")]
    cited = {k.strip() for p in sources for group in re.findall(r"\{cite[:\w]*\}`([^`]+)`", p.read_text(encoding="utf-8"))
             for k in group.split(",")}
    assert cited, "chapter 0 cites its sources"
    assert cited <= keys, f"unknown citation keys: {cited - keys}"


def test_site_has_colab_and_binder_links(built_site):
    page = (built_site / "notebooks" / "ch00_preface" / "01_quickstart.html").read_text(encoding="utf-8")
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    assert f"colab.research.google.com/github/{repo}/blob/{branch}/notebooks/ch00_preface/01_quickstart.ipynb" in page
    assert f"mybinder.org/v2/gh/{repo}/{branch}" in page


def test_site_loads_no_script_or_style_from_the_internet(built_site):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"(https?://[^\"]+)\"", html)
        assets = [u for u in remote if re.search(r"\.(m?js|css)(\?|$)", u)]
        assert not assets, f"{page.relative_to(built_site)} loads {assets} from the internet"


def test_site_renders_mermaid_and_math_locally(built_site):
    preface = (built_site / "book" / "ch00_preface" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<pre\s+class="mermaid">', preface), "the Mermaid fence must become a diagram, not a code block"
    for asset in ("vendor/mathjax/tex-chtml.js", "vendor/mermaid/mermaid.esm.min.mjs", "vendor/html-manager/embed.js"):
        assert (built_site / "_static" / asset).is_file(), asset
