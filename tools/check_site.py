"""Open every page of the built site in headless Chromium with the network off, as a reader would.

The site is served from a local http server under the sub-path it has on GitHub Pages
(``/big-model-small-team/``, derived from ``repository.url`` in _config.yml), every request to
any other host is blocked, and for each page it checks:

* no request fails (status >= 400, blocked, or aborted) and no script throws;
* math is typeset (MathJax ``mjx-container`` present, no ``mjx-merror``) where the page has math;
* every Mermaid diagram is drawn (an ``svg`` inside each ``pre.mermaid``);
* widgets saved in notebooks are rendered by the vendored ipywidgets manager;
* no image is broken (``naturalWidth > 0``), and solutions (``.admonition.dropdown``) start hidden.

It also opens a page with diagrams from ``file://`` (a workshop USB stick: diagrams through the IIFE
fallback, math), a missing page (the 404 page must load under the sub-path and lead to the table of
contents) and the search page (the search index must load and find a word). Screenshots of a few
pages go to ``--screenshots``. Usage:

    python tools/check_site.py [--site _build/html] [--prefix /big-model-small-team/]
                               [--screenshots _build/screenshots] [--json report.json]

Needs Chromium (Debian: tools/install_browser.sh) and the pinned ``playwright`` package, which
drives the system Chromium (``playwright install`` is never needed).
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
SCREENSHOT_PAGES = ("book/intro.html", "book/ch00_preface/index.html",
                    "notebooks/ch01_resources/01_resources_and_costs.html", "book/workshop.html")
FILE_URL_PAGE = "book/ch00_preface/index.html"  # has a Mermaid diagram and math


def chromium_path() -> str | None:
    """The system Chromium: $LMBOOK_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH."""
    env = os.environ.get("LMBOOK_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def site_prefix() -> str:
    """``/<repo>/``: the path the site has on GitHub Pages, from _config.yml's repository.url."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from site_meta import site_url, url_prefix

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = site_url(config["repository"]["url"])
    return url_prefix(url) if url else "/"


# ----------------------------------------------------------------------------- a GitHub-Pages-like server
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``site`` under ``prefix`` only; a missing file gets the site's 404.html with status 404."""

    prefix = "/"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # noqa: ANN201 - http.server's signature
        path = unquote(urlparse(self.path).path)
        if not path.startswith(self.prefix):
            return self._not_found()
        local = Path(self.directory) / path[len(self.prefix):]
        if local.is_dir() and not (local / "index.html").is_file():
            return self._not_found()
        if not local.exists():
            return self._not_found()
        self.path = "/" + path[len(self.prefix):]
        return super().send_head()

    def _not_found(self):  # noqa: ANN202
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


def serve(site: Path, prefix: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(type("H", (_Handler,), {"prefix": prefix}), directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


# ----------------------------------------------------------------------------- checking pages
@dataclass
class PageReport:
    page: str
    problems: list[str] = field(default_factory=list)
    math: int = 0
    diagrams: int = 0
    widgets: int = 0
    images: int = 0


WAIT_JS = """
async () => Promise.race([new Promise((r) => setTimeout(r, 20000)), (async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  for (let i = 0; i < 100; i++) {   // diagrams (not those deferred inside a closed dropdown) and widgets
    const pending = [...document.querySelectorAll('pre.mermaid')].filter(
      (el) => !el.querySelector('svg') && !el.hasAttribute('data-mermaid-deferred') && el.offsetParent !== null);
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
    const drawn = document.querySelectorAll('.widget-container, .jupyter-widgets, .widget-inline-hbox, .widget-box').length;
    if (!pending.length && (!views || drawn)) break;
    await sleep(100);
  }
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all([...document.images].map((img) => img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; })));
})()])
"""

INSPECT_JS = """
() => {
  const hasMath = document.querySelector('.math, span.math, div.math') !== null;
  const mermaids = [...document.querySelectorAll('pre.mermaid')];
  const visibleMermaids = mermaids.filter((el) => el.offsetParent !== null);
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  const dropdowns = [...document.querySelectorAll('.admonition.dropdown')];
  return {
    hasMath,
    mjx: document.querySelectorAll('mjx-container').length,
    mjxErrors: document.querySelectorAll('mjx-merror').length,
    mermaids: mermaids.length,
    undrawn: visibleMermaids.filter((el) => !el.querySelector('svg')).length,
    views,
    widgets: document.querySelectorAll('.widget-container, .jupyter-widgets, .widget-inline-hbox, .widget-box').length,
    images: document.images.length,
    broken: [...document.images].filter((img) => !(img.complete && img.naturalWidth > 0)).map((img) => img.src),
    openSolutions: dropdowns.filter((d) => {
      const body = [...d.children].filter((c) => !c.classList.contains('admonition-title') && c.tagName !== 'BUTTON');
      return body.some((c) => c.offsetParent !== null && c.getBoundingClientRect().height > 0);
    }).length,
    dropdowns: dropdowns.length,
  };
}
"""


class Checker:
    """One browser, one context with the network off except the local server (or file://)."""

    def __init__(self, playwright, base: str) -> None:
        executable = chromium_path()
        if not executable:
            raise SystemExit("check_site: Chromium not found; run `sudo bash tools/install_browser.sh` "
                             "(apt-get install chromium fonts-noto-cjk) or set LMBOOK_CHROMIUM")
        self.base = base
        self.host = urlparse(base).netloc
        self.profile = tempfile.mkdtemp(prefix="lmbook-chromium-")
        self.context = playwright.chromium.launch_persistent_context(
            self.profile, executable_path=executable, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1280, "height": 900}, locale="zh-CN", service_workers="block")
        self.context.route("**/*", self._route)
        self.blocked: list[str] = []

    def _route(self, route) -> None:  # noqa: ANN001
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "file", "about") or url.netloc == self.host:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def close(self) -> None:
        self.context.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, url: str, name: str, *, expect_status: int = 200, screenshot: Path | None = None,
             redirect: str | None = None) -> PageReport:
        """Load ``url`` and inspect it; with ``redirect``, only check that it lands on a URL ending so."""
        report = PageReport(name)
        failed: list[str] = []
        errors: list[str] = []
        self.blocked.clear()
        page = self.context.new_page()
        page.set_default_timeout(30_000)
        from_folder = url.startswith("file:")
        # under file:// the browser refuses ES modules (Mermaid's .mjs) by design; the IIFE fallback draws instead
        page.on("requestfailed", lambda r: None if from_folder and r.url.endswith(".mjs")
                else failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 and r.url != url else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            response = page.goto(url, wait_until="load", timeout=30_000)
            status = response.status if response is not None else 200  # file:// has no status
            if status != expect_status:
                report.problems.append(f"HTTP {status}, expected {expect_status}")
            if redirect:
                page.wait_for_url(re.compile(re.escape(redirect) + "$"), timeout=10_000)
                page.close()
                return report
            page.evaluate(WAIT_JS)
            page.wait_for_timeout(200)
            info = page.evaluate(INSPECT_JS)
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
        except Exception as exc:  # noqa: BLE001 - report, do not crash the whole run
            report.problems.append(f"could not load: {exc}")
            page.close()
            return report
        page.close()
        report.math, report.diagrams, report.widgets, report.images = (
            info["mjx"], info["mermaids"], info["widgets"], info["images"])
        report.problems += [f"failed request: {f}" for f in failed]
        report.problems += [f"blocked request to the internet: {b}" for b in self.blocked]
        report.problems += [f"script error: {e}" for e in errors]
        if info["hasMath"] and not info["mjx"]:
            report.problems.append("math is not typeset (no mjx-container)")
        if info["mjxErrors"]:
            report.problems.append(f"{info['mjxErrors']} MathJax errors (mjx-merror)")
        if info["undrawn"]:
            report.problems.append(f"{info['undrawn']} of {info['mermaids']} Mermaid diagrams not drawn")
        if info["views"] and not info["widgets"]:
            report.problems.append(f"{info['views']} saved widgets not rendered")
        if info["broken"]:
            report.problems.append(f"broken images: {info['broken'][:5]}")
        if info["openSolutions"]:
            report.problems.append(f"{info['openSolutions']} solution dropdowns are open on load")
        return report


def redirect_target(path: Path) -> str | None:
    """The target of a ``<meta http-equiv="Refresh">`` page (the site's index.html), else None."""
    match = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', path.read_text(encoding="utf-8")[:2000], re.I)
    return match.group(1) if match else None


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(("_static/", "_sources/", "_images/"))
                  and p.name != "404.html")


def check(site: Path = SITE, prefix: str | None = None, screenshots: Path | None = None) -> list[PageReport]:
    from playwright.sync_api import sync_playwright

    prefix = prefix or site_prefix()
    server, base = serve(site, prefix)
    reports: list[PageReport] = []
    try:
        with sync_playwright() as pw:
            checker = Checker(pw, base)
            try:
                for name in pages_of(site):
                    shot = screenshots / (name.replace("/", "__").removesuffix(".html") + ".png") \
                        if screenshots and name in SCREENSHOT_PAGES else None
                    reports.append(checker.open(base + name, name, screenshot=shot, redirect=redirect_target(site / name)))
                # the 404 page under the sub-path, and its way back to the table of contents
                missing = checker.open(base + "no/such/page.html", "404.html (missing page)", expect_status=404,
                                       screenshot=screenshots / "404.png" if screenshots else None)
                reports.append(missing)
                # search: the index loads under the sub-path and finds a word of the book
                search = checker.open(base + "search.html?q=" + "注意力", "search.html?q=注意力")
                reports.append(search)
                # from a folder (file://): diagrams through the IIFE fallback, math, no request to the internet
                file_page = (site / FILE_URL_PAGE).resolve().as_uri()
                reports.append(checker.open(file_page, f"file://…/{FILE_URL_PAGE}",
                                            screenshot=screenshots / "file-url-preface.png" if screenshots else None))
                reports.extend(_extra_checks(checker, base))
            finally:
                checker.close()
    finally:
        server.shutdown()
    return reports


def _extra_checks(checker: Checker, base: str) -> list[PageReport]:
    """Things a page-by-page load cannot see: the 404 page's link target and search results."""
    report = PageReport("404 link and search results")
    page = checker.context.new_page()
    try:
        page.goto(base + "no/such/page.html", wait_until="load")
        links = page.eval_on_selector_all("article a, main a", "els => els.map(e => e.href)")
        toc = [u for u in links if u.endswith("book/intro.html")]
        if not toc:
            report.problems.append("the 404 page has no link to the table of contents (book/intro.html)")
        else:
            target = page.goto(toc[0], wait_until="load")
            if target is None or target.status != 200:
                report.problems.append(f"the 404 page's link {toc[0]} does not resolve")
        page.goto(base + "search.html?q=注意力", wait_until="load")
        try:
            page.wait_for_selector("#search-results li, ul.search li", timeout=15_000)
        except Exception:  # noqa: BLE001
            report.problems.append("search finds nothing for 注意力 (search index not loaded?)")
    finally:
        page.close()
    return [report]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--prefix", default=None, help="sub-path to serve the site under (default: from _config.yml)")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--json", type=Path, help="write the per-page report here")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"check_site: {args.site}/index.html not found: build the site first (make book)")
    start = time.perf_counter()
    reports = check(args.site, args.prefix, args.screenshots)
    bad = [r for r in reports if r.problems]
    for r in reports:
        print(f"{'FAIL' if r.problems else 'ok  '} {r.page}  (math {r.math}, diagrams {r.diagrams}, "
              f"widgets {r.widgets}, images {r.images})")
        for p in r.problems:
            print(f"       - {p}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"check_site: {len(reports)} checks, {len(bad)} with problems, {time.perf_counter() - start:.0f} s; "
          f"screenshots in {args.screenshots}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
