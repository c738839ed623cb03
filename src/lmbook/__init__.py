"""lmbook — the helper library of 《大模型，小团队》.

Notebooks start with ``env = lmbook.setup(seed=0, notebook=...)``. The library has two kinds of module:

* infrastructure written here (``env``, ``scale``, ``config``, ``data``, ``plotting``, ``timing``,
  ``checks``, ``history``, ``results``, ``assumptions``, ``launch``, ``errors``, ``widgets``);
* lesson code *generated from the notebooks that teach it* by ``tools/export_lessons.py``
  (``sizing``, ``text``, ``torch_blocks``, ``keras_blocks``, ``interop``, ``training``, …).

Framework modules are imported lazily (``lmbook.torch_blocks`` on first use), so ``import lmbook``
stays fast and a machine without TensorFlow can use the PyTorch half.
"""
import importlib as _importlib
import os as _os
from typing import Any as _Any

# PyTorch's OpenMP threads otherwise spin while waiting for each other; on a busy or small
# CPU (a laptop, a 2-core CI machine) that made training steps up to 10x slower. Must be set
# before torch is imported, which is why notebooks import lmbook first.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .checks import check_close, count_params_torch, to_numpy  # noqa: E402
from .config import Config  # noqa: E402
from .env import (CPU_TEST_ENV, NotebookEnv, in_colab, machine_description, online_mode, seed_everything, setup,
                  tf_gpus, torch_device)  # noqa: E402
from .errors import LmbookError, MissingDependencyError, OfflineDataError, ScaleError, require  # noqa: E402
from .history import History, plot_histories  # noqa: E402
from .plotting import plot_confusion, setup_cjk_font  # noqa: E402
from .results import report, report_config, show_gpu_results  # noqa: E402
from .scale import Scale, dry_run_active, get_scale, pick  # noqa: E402
from .timing import Timing, measure, timer  # noqa: E402
from .widgets import explore  # noqa: E402

__version__ = "0.2.0"

#: submodules loaded on first attribute access (they import torch, keras, transformers …)
_LAZY = ("assumptions", "data", "evaluation", "gpt", "interop", "keras_blocks", "launch", "product", "serving",
         "sizing", "text", "torch_blocks", "training")


def __getattr__(name: str) -> _Any:
    if name in ("interop", "keras_blocks"):  # these import Keras: silence TensorFlow's start-up lines first
        from .env import import_tensorflow

        import_tensorflow()
    if name in _LAZY:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lmbook' has no attribute {name!r}")


__all__ = [
    "CPU_TEST_ENV", "Config", "History", "LmbookError", "MissingDependencyError", "NotebookEnv", "OfflineDataError",
    "Scale", "ScaleError", "Timing", "check_close", "count_params_torch", "dry_run_active", "explore", "get_scale",
    "in_colab", "machine_description", "measure", "online_mode", "pick", "plot_confusion", "plot_histories", "report", "report_config",
    "require", "seed_everything", "setup", "setup_cjk_font", "show_gpu_results", "tf_gpus", "timer", "to_numpy",
    "torch_device",
]
