"""Environment self-check: is everything the book uses installed, in a version that works, and which GPU
does each framework see?

    python -m lmbook.doctor            # what a reader needs (library, both frameworks, offline data, chapters)
    python -m lmbook.doctor --all      # also what a maintainer needs to build the site and run the tests
    python -m lmbook.doctor --strict   # a version other than constraints.txt's pin is an error (CI, workshops)
    make doctor                        # the same as --all, in the repository's .venv

In a notebook: ``import lmbook.doctor; lmbook.doctor.check()``.

Expected versions come from one place each: the version *ranges* from lmbook's own package metadata
(pyproject.toml), the exact *pins* from constraints.txt when the repository is at hand (or ``--constraints``).
Nothing is imported to read a version, so the check takes a second; only the GPU probe imports PyTorch and
TensorFlow. Every line that is not OK ends with the exact command that fixes it.
"""
from __future__ import annotations

import argparse
import platform
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

OK, MISSING, WRONG, DIFFERENT = "OK", "缺少", "版本不符", "与固定版本不同"

#: extras of lmbook → the group name shown, and whether a reader needs it (else only maintainers)
GROUPS: dict[str, tuple[str, bool]] = {
    "": ("辅助库的基础依赖", True),
    "lab": ("JupyterLab（本地打开笔记本；Colab 与 Binder 自带）", False),
    "frameworks": ("两个框架", True),
    "data": ("离线数据与模型", True),
    "chapters": ("后续章节用到的库", True),
    "book": ("构建网站（维护者）", False),
    "test": ("测试（维护者）", False),
}
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@dataclass(frozen=True)
class Dependency:
    """One distribution the book uses: its range (pyproject), its pin (constraints.txt) and its group."""

    name: str
    spec: SpecifierSet
    pin: str | None
    group: str
    no_deps: bool = False


@dataclass(frozen=True)
class Check:
    """The result for one dependency; ``fix`` is the exact command to run when status is not OK."""

    dep: Dependency
    status: str
    installed: str | None
    fix: str | None

    @property
    def ok(self) -> bool:
        return self.status in (OK, DIFFERENT)


# ----------------------------------------------------------------------------- what is expected
def repository_constraints() -> Path | None:
    """constraints.txt of the repository this lmbook was installed from (editable install), if any."""
    here = Path(__file__).resolve()
    for parent in here.parents[1:4]:
        candidate = parent / "constraints.txt"
        if candidate.is_file() and (parent / "pyproject.toml").is_file():
            return candidate
    return None


def read_pins(path: Path | None) -> dict[str, str]:
    """``{canonical name: version}`` from a pip constraints file (``name==version`` lines)."""
    if path is None or not path.is_file():
        return {}
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9._-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _extra_of(req: Requirement) -> str:
    match = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", str(req.marker or ""))
    return match.group(1) if match else ""


def expected(requires: Iterable[str] | None = None, pins: dict[str, str] | None = None,
             no_deps: Iterable[str] | None = None) -> list[Dependency]:
    """Every dependency of lmbook (all extras) plus the data-only packages installed with ``--no-deps``."""
    if requires is None:
        requires = metadata.requires("lmbook") or []
    pins = pins if pins is not None else read_pins(repository_constraints())
    if no_deps is None:
        from .data import SOURCES

        no_deps = [s.dist for s in SOURCES.values() if s.no_deps]
    deps: dict[str, Dependency] = {}
    for line in requires:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        extra = _extra_of(req)
        if extra not in GROUPS or (req.marker and not req.marker.evaluate({"extra": extra})):
            continue
        name = canonicalize_name(req.name)
        deps.setdefault(name, Dependency(name, req.specifier, pins.get(name), extra))
    for dist in no_deps:
        name = canonicalize_name(dist)
        deps.setdefault(name, Dependency(name, SpecifierSet(), pins.get(name), "data", no_deps=True))
    order = list(GROUPS)
    return sorted(deps.values(), key=lambda d: (order.index(d.group), d.name))


# ----------------------------------------------------------------------------- checking
def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _public(version: str) -> Version | None:
    try:
        return Version(Version(version).public)  # 2.13.0+cpu satisfies ==2.13.0
    except InvalidVersion:
        return None


def fix_command(dep: Dependency, *, strict: bool) -> str:
    """The pip command that installs a version of ``dep`` the book works with."""
    flags = "--no-deps " if dep.no_deps else ""
    target = f"{dep.name}=={dep.pin}" if (dep.pin and (strict or not str(dep.spec))) else f"{dep.name}{dep.spec}"
    command = f'pip install -U {flags}"{target}"'
    if dep.name == "torch" and sys.platform.startswith("linux") and platform.machine() == "x86_64":
        command += f"    # 没有 NVIDIA GPU 时加 --index-url {TORCH_CPU_INDEX}，只下载 CPU 版"
    return command


def check_one(dep: Dependency, version_of: Callable[[str], str | None] = installed_version, *,
              strict: bool = False) -> Check:
    installed = version_of(dep.name)
    if installed is None:
        return Check(dep, MISSING, None, fix_command(dep, strict=strict))
    version = _public(installed)
    if version is None or (str(dep.spec) and version not in dep.spec):
        return Check(dep, WRONG, installed, fix_command(dep, strict=strict))
    if dep.pin and _public(dep.pin) != version:
        return Check(dep, WRONG if strict else DIFFERENT, installed, fix_command(dep, strict=True))
    return Check(dep, OK, installed, None)


def check_all(deps: Sequence[Dependency], *, include_maintainer: bool, strict: bool,
              version_of: Callable[[str], str | None] = installed_version) -> list[Check]:
    return [check_one(d, version_of, strict=strict) for d in deps if include_maintainer or GROUPS[d.group][1]]


def python_check(requires_python: str | None = None) -> tuple[bool, str]:
    """Whether this Python satisfies lmbook's ``Requires-Python`` (and the note about the pinned 3.11)."""
    spec = SpecifierSet(requires_python if requires_python is not None
                        else metadata.metadata("lmbook").get("Requires-Python", "") or "")
    here = platform.python_version()
    ok = Version(here) in spec
    note = f"Python {here}（要求 {spec or '任意'}）"
    if ok and sys.version_info[:2] != (3, 11):
        note += "；constraints.txt 的固定版本按 Python 3.11 解析，其他版本用 pyproject.toml 的版本范围安装"
    return ok, note


#: programs a maintainer needs besides Python packages: name → (what for, how to install on Debian/Ubuntu)
TOOLS: dict[str, tuple[str, str]] = {
    "npm": ("构建网站时把 MathJax 与 Mermaid 下载进站点", "sudo apt-get install npm    # macOS：brew install node"),
    "chromium": ("浏览器测试与截图（离线打开每一页）",
                 "sudo bash tools/install_browser.sh    # 即 apt-get install chromium fonts-noto-cjk"),
}


def tool_checks(which: Callable[[str], str | None] | None = None) -> list[str]:
    """One line per maintainer program: OK with its path, or 缺少 with the command that installs it."""
    import shutil

    which = which or shutil.which
    lines = []
    for name, (purpose, fix) in TOOLS.items():
        path = which(name)
        lines.append(f"{OK:<8}{name:<24}{path}" if path else f"{MISSING:<8}{name:<24}{purpose}\n        修复：{fix}")
    return lines


# ----------------------------------------------------------------------------- GPUs
def gpu_report() -> list[str]:
    """One line per framework: which accelerator it sees (imports PyTorch and TensorFlow)."""
    lines = []
    try:
        import torch

        if torch.cuda.is_available():
            names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
            lines.append(f"PyTorch {torch.__version__}：看到 {torch.cuda.device_count()} 块 CUDA GPU（{names}）")
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            lines.append(f"PyTorch {torch.__version__}：看到 Apple 芯片的 GPU（mps），env.device 将是 mps")
        else:
            lines.append(f"PyTorch {torch.__version__}：没有看到 GPU，使用 CPU（CPU 规模照样能跑完全书）")
    except ImportError:
        lines.append("PyTorch：未安装（见上表的修复命令）")
    try:
        from .env import import_tensorflow

        tf = import_tensorflow()
        gpus = tf.config.list_physical_devices("GPU")
        lines.append(f"TensorFlow {tf.__version__}：" + (f"看到 {len(gpus)} 块 GPU" if gpus else "没有看到 GPU，使用 CPU"))
    except ImportError:
        lines.append("TensorFlow：未安装（见上表的修复命令；没有 TensorFlow 时带 tf 标签的单元格无法运行）")
    return lines


# ----------------------------------------------------------------------------- report
def format_report(checks: Sequence[Check], python: tuple[bool, str], gpus: Sequence[str], *,
                  constraints: Path | None, tools: Sequence[str] = ()) -> str:
    lines = ["《大模型，小团队》环境自检", "=" * 24, ("OK    " if python[0] else "版本不符 ") + python[1]]
    lines.append(f"固定版本：{constraints}" if constraints else "固定版本：未找到 constraints.txt，只按版本范围检查")
    group = None
    for c in checks:
        if c.dep.group != group:
            group = c.dep.group
            lines.append(f"\n[{GROUPS[group][0]}]")
        wanted = f"需要 {c.dep.spec or '任意版本'}" + (f"，固定 {c.dep.pin}" if c.dep.pin else "")
        lines.append(f"{c.status:<8}{c.dep.name:<24}{c.installed or '—':<16}{wanted}")
        if c.fix:
            lines.append(f"        修复：{c.fix}")
    if tools:
        lines += ["", "[程序（维护者）]", *tools]
    if gpus:
        lines += ["", "[GPU]", *gpus]
    bad = [c for c in checks if not c.ok] + ([] if python[0] else ["python"])
    bad += [t for t in tools if t.startswith(MISSING)]
    lines.append("\n" + (f"有 {len(bad)} 项需要处理：按每行的“修复”命令执行后再运行一次自检。" if bad
                          else "全部 OK：可以运行本书的每个笔记本。"))
    return "\n".join(lines)


def check(*, include_maintainer: bool = False, strict: bool = False, gpu: bool = True,
          constraints: Path | None = None) -> bool:
    """Print the self-check (for a notebook's first cell); True when everything needed is OK."""
    constraints = constraints or repository_constraints()
    deps = expected(pins=read_pins(constraints))
    checks = check_all(deps, include_maintainer=include_maintainer, strict=strict)
    python = python_check()
    tools = tool_checks() if include_maintainer else []
    print(format_report(checks, python, gpu_report() if gpu else [], constraints=constraints, tools=tools))
    return python[0] and all(c.ok for c in checks) and not any(t.startswith(MISSING) for t in tools)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lmbook.doctor", description="检查本书用到的每个依赖与 GPU。")
    parser.add_argument("--all", action="store_true", help="也检查构建网站与测试所需的包（维护者）")
    parser.add_argument("--strict", action="store_true", help="与 constraints.txt 的固定版本不同也算错")
    parser.add_argument("--no-gpu", action="store_true", help="不导入框架探测 GPU（更快）")
    parser.add_argument("--constraints", type=Path, help="constraints.txt 的路径（默认：仓库里的那份）")
    args = parser.parse_args(argv)
    ok = check(include_maintainer=args.all, strict=args.strict, gpu=not args.no_gpu, constraints=args.constraints)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
