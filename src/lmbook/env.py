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

#: THE definition of the CPU test environment: conftest.py (unit tests and nbval kernels),
#: tools/run_notebooks.py (stored outputs) and tools/gpu_runner.py (with its own overrides) all use it.
CPU_TEST_ENV: dict[str, str] = {
    "LMBOOK_SCALE": "cpu",
    "LMBOOK_DRY_RUN": "0",
    "LMBOOK_ONLINE": "0",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "OMP_WAIT_POLICY": "PASSIVE",
    "PYTHONHASHSEED": "0",
    "TOKENIZERS_PARALLELISM": "false",
}


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


def machine_description() -> str:
    """A neutral one-line description of this machine for stating where stored outputs come from,
    e.g. "2 个逻辑核的 x86_64 CPU（Intel(R) Xeon(R) …），无 GPU"."""
    model = ""
    cpuinfo = "/proc/cpuinfo"
    if os.path.exists(cpuinfo):
        with open(cpuinfo, encoding="utf-8", errors="replace") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    model = model or platform.processor() or ""
    text = f"{os.cpu_count()} 个逻辑核的 {platform.machine()} CPU" + (f"（{model}）" if model else "")
    try:
        import torch

        if torch.cuda.is_available():
            return text + f"，GPU：{torch.cuda.get_device_name(0)}"
    except ImportError:
        pass
    return text + "，无 GPU"


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
    notebook: str | None = None
    dry_run: bool = False
    threads: int | None = None
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
        parts.append(f"规模 {self.scale.value.upper()}" + ("（演练：截短步数与数据）" if self.dry_run else ""))
        parts.append("联网" if self.online else "离线")
        parts.append("Colab" if self.colab else "本地")
        return " | ".join(parts)


FRAMEWORKS_ENV_VAR = "LMBOOK_FRAMEWORKS"


def setup(
    seed: int = 0,
    *,
    notebook: str | None = None,
    torch: bool = True,
    tensorflow: bool = True,
    plots: bool = True,
    threads: int | None = None,
) -> NotebookEnv:
    """Everything the first code cell of a notebook needs; prints a one-line summary.

    ``notebook`` is the notebook's id (``ch01_resources/01_resources_and_costs``), written into
    the set-up cell by ``tools/sync_notebooks.py``; the GPU record cell uses it. ``torch`` /
    ``tensorflow`` choose which frameworks to initialise (``LMBOOK_FRAMEWORKS=torch``, set by the
    GPU runner on machines without TensorFlow, turns TensorFlow off without editing the notebook).
    ``threads`` caps PyTorch's intra-op threads (small models on a 2-core CPU run faster on one).
    Also sets print precision (4 significant digits) for NumPy, PyTorch and pandas.
    """
    allowed = os.environ.get(FRAMEWORKS_ENV_VAR, "torch,tensorflow").replace(" ", "").lower().split(",")
    unknown = set(allowed) - {"torch", "tensorflow"}
    if unknown:
        from .errors import LmbookError

        raise LmbookError(f"{FRAMEWORKS_ENV_VAR} 只能列出 torch 和/或 tensorflow（逗号分隔），收到 {sorted(unknown)}。")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads 必须是正整数或 None（不限制），收到 {threads!r}。")
    torch = torch and "torch" in allowed
    tensorflow = tensorflow and "tensorflow" in allowed
    if tensorflow:
        quiet_tensorflow()
    from .scale import dry_run_active

    env = NotebookEnv(scale=get_scale(), colab=in_colab(), online=online_mode(), seed=seed, notebook=notebook,
                      dry_run=get_scale() is Scale.GPU and dry_run_active(), threads=threads)
    env.versions["python"] = platform.python_version()
    _set_print_precision()
    if torch:
        import torch as _torch

        env.versions["torch"] = _torch.__version__
        env.device = torch_device()
        if threads is not None:
            _torch.set_num_threads(threads)
        _torch.set_printoptions(precision=4, sci_mode=False)
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


def _set_print_precision() -> None:
    import numpy as np

    np.set_printoptions(precision=4, suppress=True)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return
    pd.set_option("display.precision", 4)
