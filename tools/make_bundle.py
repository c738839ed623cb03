"""The offline workshop bundle: everything an instructor copies to a classroom without internet.

    python tools/make_bundle.py [--wheels] [--out _build/bundle]      (make bundle / make bundle WHEELS=1)

writes ``_build/bundle/<repo>-<version>.tar.gz`` (and ``.zip`` for Windows) containing

    README.md            how to start it on Windows, macOS and Linux (from tools/templates/bundle_README.md)
    site/                the built site (works from the folder: double-click site/index.html, or serve it)
    notebooks/           the full notebooks (教师版, with solutions)
    student/notebooks/   the student notebooks (solutions removed, tools/student_notebooks.py)
    pyproject.toml  constraints.txt  src/  LICENSE    the lmbook package, installable offline
    install.sh  install.ps1                           install into .venv (from wheels/ when present)
    wheels/              with --wheels: every wheel this platform needs (the data and models ship inside
                         PyPI packages, so they come along); other platforms: see README
    BUNDLE.txt           version, date, and what was included

The site must be built first (``make book``; ``make bundle`` does it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import yaml

from nbexec import ROOT, all_notebooks
from student_notebooks import write_student

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from site_meta import package_version, site_url  # noqa: E402

TEMPLATES = ROOT / "tools" / "templates"
EXTRAS = "frameworks,data,chapters,lab"


def repo_name() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/").rsplit("/", 1)[-1]


def no_deps_packages() -> list[str]:
    from lmbook.data import SOURCES

    return sorted({s.dist for s in SOURCES.values() if s.no_deps})


def wheel_commands(dest: str = "wheels", platform_args: str = "") -> list[str]:
    """The pip commands that download every wheel the bundle's install needs (also printed in the README)."""
    extra = f" {platform_args}" if platform_args else ""
    return [
        f'pip download -d {dest}{extra} -c constraints.txt "pip" "setuptools>=68" "wheel" ".[{EXTRAS}]"',
        f"pip download -d {dest}{extra} --no-deps -c constraints.txt {' '.join(no_deps_packages())}",
    ]


def render(template: str, name: str, version: str) -> str:
    """A bundle template with {{name}}, {{version}}, {{site_url}}, {{extras}}, {{no_deps}}, {{wheel_commands}} filled in."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return (text.replace("{{name}}", name).replace("{{version}}", version)
            .replace("{{site_url}}", site_url(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
                                              ["repository"]["url"]))
            .replace("{{extras}}", EXTRAS).replace("{{no_deps}}", " ".join(no_deps_packages()))
            .replace("{{wheel_commands}}", "\n".join(wheel_commands())))


def build(out: Path, site: Path, *, wheels: bool = False, archive: bool = True) -> Path:
    """Assemble the bundle folder under ``out`` and pack it; return the .tar.gz path (or the folder)."""
    name, version = repo_name(), package_version()
    if not (site / "index.html").is_file():
        raise SystemExit(f"make_bundle: {site}/index.html not found: build the site first (make book)")
    folder = out / f"{name}-{version}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copytree(site, folder / "site", ignore=shutil.ignore_patterns(".buildinfo", "_sources"))
    shutil.copytree(ROOT / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    removed = 0
    for path in all_notebooks():
        _, stripped = write_student(path, folder / "student")
        removed += len(stripped.removed_blocks) + len(stripped.removed_cells)
    shutil.copytree(ROOT / "src", folder / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for file in ("pyproject.toml", "constraints.txt", "LICENSE", "CHANGELOG.md"):
        shutil.copy2(ROOT / file, folder / file)
    for target in ("install.sh", "install.ps1", "README.md"):
        (folder / target).write_text(render(f"bundle_{target}", name, version), encoding="utf-8", newline="\n")
    (folder / "install.sh").chmod(0o755)
    if wheels:
        for command in wheel_commands(str(folder / "wheels")):
            subprocess.run([sys.executable, "-m", *shlex.split(command)], cwd=ROOT, check=True)
    (folder / "BUNDLE.txt").write_text(
        f"{name} {version}\n生成日期：{dt.date.today().isoformat()}\n"
        f"笔记本：{len(all_notebooks())} 个（教师版 notebooks/，学生版 student/notebooks/，删去 {removed} 处答案）\n"
        f"wheels/：{'已包含（' + sys.platform + '，Python ' + sys.version.split()[0] + '）' if wheels else '未包含（见 README）'}\n",
        encoding="utf-8")
    if not archive:
        return folder
    tar_path = out / f"{name}-{version}.tar.gz"
    with tarfile.open(tar_path, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    with zipfile.ZipFile(out / f"{name}-{version}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            zf.write(file, Path(folder.name) / file.relative_to(folder))
    return tar_path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheels", action="store_true", help="also download every wheel this platform needs")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bundle")
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    path = build(args.out, args.site, wheels=args.wheels)
    size = path.stat().st_size / 2**20
    print(f"make_bundle: {path} ({size:.0f} MiB) and {path.with_suffix('').with_suffix('.zip').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
