"""诚实的评估：带置信区间的指标、按代价选阈值、校准。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.evaluation` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch03_product/03_article_mlp_made_right.ipynb ·「原文勘误：随机数据上不可能有 90% 的测试准确率」
import math

from scipy.stats import norm


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """二项比例（准确率、召回率……）的 Wilson 置信区间 (下限, 上限)：n 次里成功 successes 次。

    比“估计值 ± 1.96 × 标准误”可靠：样本少、比例接近 0 或 1 时也不会越出 [0, 1]。
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"需要 0 ≤ successes ≤ n 且 n > 0，收到 successes={successes!r}、n={n!r}。")
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, center - half), min(1.0, center + half)


# ── 出自 notebooks/ch03_product/03_article_mlp_made_right.ipynb ·「同一个模型，换成真实数据」
from typing import Any

import numpy as np


def train_val_test_split(*arrays: Any, val_size: float = 0.2, test_size: float = 0.2, seed: int = 0,
                         stratify: Any = None) -> list:
    """把每个数组分成训练 / 验证 / 测试三份，顺序为 a_train, a_val, a_test, b_train, b_val, b_test, …。

    先切出测试集（只在最后用一次），再从剩下的数据里切出验证集（选模型、选轮数、选阈值都只看它）；
    val_size 与 test_size 都是占全部数据的比例。stratify 给出标签时按类别比例分层。支持 NumPy 数组与 pandas 表。
    """
    from sklearn.model_selection import train_test_split

    if not 0 < val_size < 1 or not 0 < test_size < 1 or val_size + test_size >= 1:
        raise ValueError(f"val_size、test_size 要在 (0, 1) 之间且二者之和小于 1，收到 {val_size!r}、{test_size!r}。")
    index = np.arange(len(arrays[0]))
    strat = None if stratify is None else np.asarray(stratify)
    dev, test = train_test_split(index, test_size=test_size, random_state=seed, stratify=strat)
    train, val = train_test_split(dev, test_size=val_size / (1 - test_size), random_state=seed,
                                  stratify=None if strat is None else strat[dev])
    out = []
    for a in arrays:
        for part in (train, val, test):
            out.append(a.iloc[part] if hasattr(a, "iloc") else np.asarray(a)[part])
    return out


def tabular_encoder() -> Any:
    """表格数据的预处理：数值列标准化，其余列独热编码（没见过的类别编成全 0，缺失值单独成一类）。

    返回一个还没拟合的 scikit-learn 变换器：只在训练集上 fit，再拿去 transform 验证集和测试集。
    """
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return make_column_transformer(
        (StandardScaler(), make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), make_column_selector(dtype_exclude="number")),
    )


# ── 出自 notebooks/ch03_product/04_good_enough.ipynb ·「准确率不是指标」
from typing import Any

import numpy as np



def metrics_with_ci(y_true: Any, y_pred: Any, confidence: float = 0.95) -> Any:
    """二分类（1 = 阳性）的准确率、精确率、召回率（敏感度）、特异度，每项带分子、分母与 Wilson 置信区间。"""
    import pandas as pd

    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = int(((y_pred == 1) & (y_true == 1)).sum())
    tn = int(((y_pred == 0) & (y_true == 0)).sum())
    fp = int(((y_pred == 1) & (y_true == 0)).sum())
    fn = int(((y_pred == 0) & (y_true == 1)).sum())
    counts = {"准确率": (tp + tn, len(y_true)), "精确率": (tp, tp + fp), "召回率（敏感度）": (tp, tp + fn),
              "特异度": (tn, tn + fp)}
    rows = []
    for name, (k, n) in counts.items():
        lo, hi = wilson_interval(k, n, confidence) if n else (float("nan"), float("nan"))
        rows.append({"指标": name, "值": k / n if n else float("nan"), "下限": lo, "上限": hi, "分子": k, "分母": n})
    return pd.DataFrame(rows).set_index("指标")


# ── 出自 notebooks/ch03_product/04_good_enough.ipynb ·「ROC 与 PR 曲线」
import warnings
from typing import Any, Callable

import numpy as np


def bootstrap_ci(metric: Callable[..., float], *arrays: Any, n_boot: int = 1000, confidence: float = 0.95,
                 seed: int = 0) -> tuple[float, float, float]:
    """自助法置信区间：(在原数据上的值, 下限, 上限)。

    对样本有放回地重抽 n_boot 次（同一批下标同时作用于每个数组，保持配对），每次算 metric(*arrays)，取分位数。
    某次重抽让 metric 无法计算（例如只剩一个类别，AUC 没有定义：报错或得到 nan）时跳过这一次。
    metric 可以是两个模型之差，例如 lambda y, a, b: auc(y, a) - auc(y, b)：在同一批样本上比较，区间更窄。
    """
    arrays = tuple(np.asarray(a) for a in arrays)
    n = len(arrays[0])
    rng = np.random.default_rng(seed)
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 只剩一个类别时 scikit-learn 会警告并返回 nan
        for _ in range(n_boot):
            idx = rng.integers(0, n, size=n)
            try:
                value = float(metric(*(a[idx] for a in arrays)))
            except ValueError:
                continue
            if np.isfinite(value):
                values.append(value)
    if len(values) < n_boot // 2:
        raise ValueError(f"{n_boot} 次重抽里只有 {len(values)} 次算得出 metric：样本太少或类别太偏。")
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(values, [alpha, 1 - alpha])
    return float(metric(*arrays)), float(lo), float(hi)


# ── 出自 notebooks/ch03_product/04_good_enough.ipynb ·「按代价选阈值」
from typing import Any

import numpy as np


def expected_cost(y_true: Any, y_pred: Any, cost_fn: float, cost_fp: float) -> float:
    """每个样本的平均代价：漏报（真阳性被判阴性）代价 cost_fn，误报（真阴性被判阳性）代价 cost_fp，判对为 0。"""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    return float((cost_fn * ((y_true == 1) & (y_pred == 0)) + cost_fp * ((y_true == 0) & (y_pred == 1))).mean())


def choose_threshold(y_true: Any, scores: Any, cost_fn: float, cost_fp: float) -> float:
    """在（验证）数据上选阈值：分数 ≥ 阈值判为阳性，使平均代价最小；返回阈值。

    候选阈值是每个不同的分数，外加一个比最大分数还大的值（全部判阴性）。代价相同的候选取中间那一个，
    对验证集的偶然性不那么敏感。
    """
    y_true, scores = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    candidates = np.append(np.unique(scores), np.inf)
    order = np.argsort(scores)
    sorted_scores, sorted_y = scores[order], y_true[order]
    # 阈值 t 把分数 < t 的判为阴性：用累计和一次算出每个候选阈值下的漏报数与误报数
    below = np.searchsorted(sorted_scores, candidates, side="left")
    positives_below = np.concatenate([[0], np.cumsum(sorted_y)])[below]
    negatives_above = (len(y_true) - sorted_y.sum()) - (below - positives_below)
    costs = cost_fn * positives_below + cost_fp * negatives_above
    best = np.flatnonzero(costs == costs.min())
    return float(candidates[best[len(best) // 2]])


# ── 出自 notebooks/ch03_product/04_good_enough.ipynb ·「校准：概率说的是真话吗」
from typing import Any

import numpy as np


def softmax_with_temperature(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """按行计算 softmax(logits / T)；T > 1 让概率向均匀收（更不自信），T < 1 更尖锐。数值稳定的写法。"""
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_temperature(logits: Any, labels: Any) -> float:
    """温度缩放：在留出数据的 logits 上找使负对数似然最小的 T（一维有界搜索，T ∈ [0.05, 20]）。

    只有一个参数，不改变 argmax 与排序，所以准确率与 AUC 不变，只改概率的“自信程度”。
    """
    from scipy.optimize import minimize_scalar

    z, y = np.asarray(logits, dtype=float), np.asarray(labels).astype(int)

    def nll(log_t: float) -> float:
        p = softmax_with_temperature(z, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None)).mean())

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(result.x))


def reliability_table(y_true: Any, prob: Any, n_bins: int = 10) -> Any:
    """可靠性图的数据：按阳性类的预测概率等宽分箱，每箱的样本数、平均预测概率、实际阳性比例（空箱省略）。"""
    import pandas as pd

    y_true, prob = np.asarray(y_true).astype(float), np.asarray(prob, dtype=float)
    bins = np.minimum((prob * n_bins).astype(int), n_bins - 1)
    rows = [{"箱": f"[{b / n_bins:.1f}, {(b + 1) / n_bins:.1f})", "样本数": int((bins == b).sum()),
             "平均预测概率": float(prob[bins == b].mean()), "实际阳性比例": float(y_true[bins == b].mean())}
            for b in range(n_bins) if (bins == b).any()]
    return pd.DataFrame(rows)


def expected_calibration_error(y_true: Any, prob: Any, n_bins: int = 10) -> float:
    """期望校准误差（ECE）：各箱 |平均预测概率 − 实际阳性比例| 按样本数加权平均；0 表示完美校准。"""
    table = reliability_table(y_true, prob, n_bins)
    weights = table["样本数"] / table["样本数"].sum()
    return float((weights * (table["平均预测概率"] - table["实际阳性比例"]).abs()).sum())


# ── 出自 notebooks/ch03_product/05_applications_outlook.ipynb ·「零售：推荐」
from typing import Any

import numpy as np


def recall_at_k(scores: Any, relevant: Any, k: int, exclude: Any = None) -> np.ndarray:
    """每个用户的 recall@k：分数最高的 k 个物品命中了几个留出的物品 ÷ min(留出物品数, k)。

    scores、relevant（留出的真实交互，布尔）、exclude（不该再推荐的物品，如训练集里已有的交互）都是
    (用户数, 物品数) 的矩阵。只返回至少有一个留出物品的用户；对结果取平均即整体的 recall@k。
    """
    s = np.asarray(scores, dtype=float).copy()
    relevant = np.asarray(relevant, dtype=bool)
    if exclude is not None:
        s[np.asarray(exclude, dtype=bool)] = -np.inf
    if not 0 < k < s.shape[1]:
        raise ValueError(f"k 必须在 1 到 物品数 − 1 之间，收到 {k!r}（物品数 {s.shape[1]}）。")
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    hits = np.take_along_axis(relevant, top, axis=1).sum(axis=1)
    n_relevant = relevant.sum(axis=1)
    keep = n_relevant > 0
    return hits[keep] / np.minimum(n_relevant[keep], k)


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「语料、字符表与划分」
from typing import Sequence

import numpy as np


def group_split(groups: Sequence[int], fractions: Sequence[float] = (0.7, 0.1, 0.2), *,
                seed: int = 0) -> list[np.ndarray]:
    """按组划分（训练 / 验证 / 测试 …）：同一组的样本（例如近似重复的评论）永远落在同一份里。

    组的顺序用种子 seed 打乱，再依次装进各份，直到该份的样本数达到 fractions 的比例。
    返回每一份的样本下标（升序）。
    """
    fractions = np.asarray(fractions, dtype=float)
    if fractions.min() <= 0 or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(f"fractions 必须都为正且加起来等于 1，收到 {tuple(fractions)}。")
    groups = np.asarray(groups)
    unique, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    order = np.random.default_rng(seed).permutation(len(unique))
    targets = np.cumsum(fractions) * len(groups)
    part_of_group = np.empty(len(unique), dtype=int)
    filled, part = 0, 0
    for g in order:
        while part < len(fractions) - 1 and filled >= targets[part]:
            part += 1
        part_of_group[g] = part
        filled += counts[g]
    assigned = part_of_group[inverse]
    return [np.flatnonzero(assigned == k) for k in range(len(fractions))]
