"""The one switch between CPU scale (small, fast, what CI runs) and GPU scale (the real sizes).

The environment variable ``LMBOOK_SCALE`` chooses: ``auto`` (default: GPU scale when
PyTorch sees CUDA), ``cpu`` or ``gpu``. Notebooks never edit code to change scale;
they ask :func:`pick` for the configuration that fits.

``LMBOOK_DRY_RUN=1`` (used by ``make gpu-dryrun``) keeps the GPU-scale *shapes* but caps
steps and data, so the GPU code path is exercised on a CPU in minutes.
"""
from __future__ import annotations

import enum
import os
from typing import Any, TypeVar

from .errors import ScaleError

ENV_VAR = "LMBOOK_SCALE"
DRY_RUN_ENV_VAR = "LMBOOK_DRY_RUN"
T = TypeVar("T")


class Scale(str, enum.Enum):
    CPU = "cpu"
    GPU = "gpu"

    @property
    def label(self) -> str:
        return "CPU 规模（小模型、小数据，几分钟跑完）" if self is Scale.CPU else "GPU 规模（真实尺寸）"


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def get_scale(value: str | None = None) -> Scale:
    """Resolve the scale from ``value`` or the ``LMBOOK_SCALE`` environment variable."""
    raw = value if value is not None else os.environ.get(ENV_VAR, "auto")
    key = raw.strip().lower()
    if key in ("", "auto"):
        return Scale.GPU if _cuda_available() else Scale.CPU
    try:
        return Scale(key)
    except ValueError:
        raise ScaleError(
            f"{ENV_VAR}={raw!r} 无法识别：只能是 auto、cpu 或 gpu。"
            f"例如在终端运行 `export {ENV_VAR}=cpu`，或在笔记本第一格写 "
            f"`import os; os.environ['{ENV_VAR}'] = 'cpu'`。"
        ) from None


def dry_run_active(value: str | None = None) -> bool:
    """Whether ``LMBOOK_DRY_RUN`` asks for capped steps and data (the GPU-scale dry run)."""
    raw = (value if value is not None else os.environ.get(DRY_RUN_ENV_VAR, "0")).strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("", "0", "false", "no", "off"):
        return False
    raise ScaleError(f"{DRY_RUN_ENV_VAR}={raw!r} 无法识别：请设为 1（GPU 规模的形状、截短的步数与数据）或 0（默认）。")


def pick(*, cpu: T, gpu: T, dry_run: T | None = None, scale: Scale | str | None = None) -> T:
    """Return ``cpu`` or ``gpu`` according to the current scale.

    During a GPU-scale dry run (``LMBOOK_SCALE=gpu LMBOOK_DRY_RUN=1``) the answer is
    ``dry_run`` when given, else ``gpu.capped()`` for a :class:`lmbook.Config`, else ``gpu``.
    """
    resolved = scale if isinstance(scale, Scale) else get_scale(scale)
    if resolved is Scale.CPU:
        return cpu
    if dry_run_active():
        if dry_run is not None:
            return dry_run
        capped: Any = getattr(gpu, "capped", None)
        if callable(capped):
            return capped()  # type: ignore[no-any-return]
    return gpu
