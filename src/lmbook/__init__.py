"""lmbook — the helper library of 《大模型，小团队》.

Notebooks start with ``env = lmbook.setup()``; everything else is imported from here.
"""
import os as _os

# PyTorch's OpenMP threads otherwise spin while waiting for each other; on a busy or small
# CPU (a laptop, a 2-core CI machine) that made training steps up to 10x slower. Must be set
# before torch is imported, which is why notebooks import lmbook first.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .checks import check_close, to_numpy
from .env import NotebookEnv, in_colab, online_mode, seed_everything, setup, tf_gpus, torch_device
from .errors import LmbookError, MissingDependencyError, OfflineDataError, ScaleError, require
from .gpu_results import show_gpu_results
from .plotting import plot_confusion, plot_histories, setup_cjk_font
from .scale import Scale, get_scale, pick
from .timing import Timing, measure, report, timer
from .training import History, count_params_torch, evaluate_torch, train_torch
from .widgets import explore

__version__ = "0.1.0"

__all__ = [
    "History", "LmbookError", "MissingDependencyError", "NotebookEnv", "OfflineDataError", "Scale", "ScaleError", "Timing",
    "check_close", "count_params_torch", "evaluate_torch", "plot_confusion", "plot_histories", "train_torch", "explore", "get_scale", "in_colab", "measure", "online_mode", "pick", "report", "require",
    "seed_everything", "setup", "setup_cjk_font", "show_gpu_results", "tf_gpus", "timer", "to_numpy",
    "torch_device",
]
