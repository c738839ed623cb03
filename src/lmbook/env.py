"""Notebook set-up: Colab detection, devices for both frameworks, seeds, a one-line summary."""
from __future__ import annotations

import os
import platform
import random
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from .scale import Scale, get_scale

ONLINE_ENV_VAR = "LMBOOK_ONLINE"


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def online_mode(value: bool | None = None) -> bool:
    """Whether loaders may download originals: explicit ``value``, else ``LMBOOK_ONLINE`` (default off)."""
    if value is not None:
        return bool(value)
    raw = os.environ.get(ONLINE_ENV_VAR, "0").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("", "0", "false", "no", "off"):
        return False
    from .errors import LmbookError

    raise LmbookError(f"{ONLINE_ENV_VAR}={raw!r} 无法识别：请设为 1（联网加载原始数据）或 0（离线，默认）。")


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up log lines; must run before TF is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # bit-for-bit repeatable CPU results


def torch_device() -> Any:
    """The best PyTorch device: CUDA, then Apple MPS, then CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: TF's C++ start-up lines bypass every log-level setting."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow() -> Any:
    """Import TensorFlow without its start-up noise (a real import error still raises)."""
    quiet_tensorflow()
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # the CUDA probe prints too; do it now, silently
    return tf


def tf_gpus() -> list[Any]:
    """TensorFlow's GPUs, with memory growth on so TF does not grab the whole card beside PyTorch."""
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: growth must be set before first use
            pass
    return gpus


def seed_everything(seed: int = 0) -> None:
    """Fix the seeds of Python, NumPy, PyTorch and TensorFlow/Keras (those that are installed)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}。")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    if "torch" in sys.modules or _importable("torch"):
        import torch

        torch.manual_seed(seed)  # also seeds every CUDA device
    if "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@dataclass
class NotebookEnv:
    """What :func:`setup` found; printed as one line."""

    scale: Scale
    colab: bool
    online: bool
    seed: int
    versions: dict[str, str] = field(default_factory=dict)
    device: Any = None
    tf_gpus: list[Any] = field(default_factory=list)
    cjk_font: str | None = None

    def summary(self) -> str:
        parts = [f"Python {self.versions.get('python', '?')}"]
        if "torch" in self.versions:
            parts.append(f"torch {self.versions['torch']}（设备 {self.device}）")
        if "tensorflow" in self.versions:
            parts.append(f"tensorflow {self.versions['tensorflow']}（GPU {len(self.tf_gpus)} 块）")
        if "keras" in self.versions:
            parts.append(f"keras {self.versions['keras']}")
        parts.append(f"规模 {self.scale.value.upper()}")
        parts.append("联网" if self.online else "离线")
        parts.append("Colab" if self.colab else "本地")
        return " | ".join(parts)


FRAMEWORKS_ENV_VAR = "LMBOOK_FRAMEWORKS"


def setup(seed: int = 0, *, torch: bool = True, tensorflow: bool = True, plots: bool = True) -> NotebookEnv:
    """Everything the first code cell of a notebook needs; prints a one-line summary.

    ``torch`` / ``tensorflow`` choose which frameworks to initialise (a notebook that
    uses only one framework starts faster). ``LMBOOK_FRAMEWORKS=torch`` (set by the GPU
    runner on machines without TensorFlow) turns TensorFlow off without editing the notebook.
    """
    allowed = os.environ.get(FRAMEWORKS_ENV_VAR, "torch,tensorflow").replace(" ", "").lower().split(",")
    unknown = set(allowed) - {"torch", "tensorflow"}
    if unknown:
        from .errors import LmbookError

        raise LmbookError(f"{FRAMEWORKS_ENV_VAR} 只能列出 torch 和/或 tensorflow（逗号分隔），收到 {sorted(unknown)}。")
    torch = torch and "torch" in allowed
    tensorflow = tensorflow and "tensorflow" in allowed
    if tensorflow:
        quiet_tensorflow()
    env = NotebookEnv(scale=get_scale(), colab=in_colab(), online=online_mode(), seed=seed)
    env.versions["python"] = platform.python_version()
    if torch:
        import torch as _torch

        env.versions["torch"] = _torch.__version__
        env.device = torch_device()
    if tensorflow:
        env.tf_gpus = tf_gpus()
        import keras
        _tf = import_tensorflow()

        env.versions["tensorflow"] = _tf.__version__
        env.versions["keras"] = keras.__version__
    seed_everything(seed)
    if plots:
        from .plotting import setup_cjk_font

        env.cjk_font = setup_cjk_font()
    print(env.summary())
    return env
