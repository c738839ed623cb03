"""The one switch between CPU scale (small, fast, what CI runs) and GPU scale (the real sizes).

The environment variable ``LMBOOK_SCALE`` chooses: ``auto`` (default: GPU scale when
PyTorch sees CUDA), ``cpu`` or ``gpu``. Notebooks never edit code to change scale;
they ask :func:`pick` for the number that fits.
"""
from __future__ import annotations

import enum
import os
from typing import TypeVar

from .errors import ScaleError

ENV_VAR = "LMBOOK_SCALE"
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


def pick(*, cpu: T, gpu: T, scale: Scale | str | None = None) -> T:
    """Return ``cpu`` or ``gpu`` according to the current scale."""
    resolved = scale if isinstance(scale, Scale) else get_scale(scale)
    return gpu if resolved is Scale.GPU else cpu
