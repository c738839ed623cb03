"""lmbook.evaluation (generated from notebooks/ch03_product/03–05): confidence intervals, cost-based thresholds,
calibration and recall@k, with pinned numbers."""
import numpy as np
import pandas as pd
import pytest

from lmbook import evaluation as ev

Y = np.array([0, 0, 1, 1, 1, 0, 1, 0])
SCORES = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6])


def test_wilson_interval_known_values():
    assert ev.wilson_interval(50, 100) == pytest.approx((0.403832, 0.596168), abs=1e-6)
    assert ev.wilson_interval(0, 20) == pytest.approx((0.0, 0.161125), abs=1e-6)     # stays inside [0, 1]
    assert ev.wilson_interval(9, 10, confidence=0.9) == pytest.approx((0.652281, 0.977365), abs=1e-6)
    with pytest.raises(ValueError, match="successes"):
        ev.wilson_interval(11, 10)


def test_train_val_test_split_sizes_strata_and_pandas():
    y = np.arange(100) % 2
    parts = ev.train_val_test_split(np.arange(100), y, stratify=y, seed=0)
    assert [len(p) for p in parts] == [60, 20, 20, 60, 20, 20]
    train, val, test = parts[:3]
    assert not (set(train) & set(val)) and not (set(val) & set(test)) and len(set(train) | set(val) | set(test)) == 100
    assert parts[4].mean() == 0.5 and parts[5].mean() == 0.5                       # stratified
    frame = pd.DataFrame({"a": range(100)})
    f_train, f_val, f_test = ev.train_val_test_split(frame, seed=0)
    assert isinstance(f_test, pd.DataFrame) and len(f_val) == 20
    with pytest.raises(ValueError, match="val_size"):
        ev.train_val_test_split(np.arange(10), val_size=0.6, test_size=0.5)


def test_tabular_encoder_scales_numbers_and_one_hot_encodes_text():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "z"]})
    out = ev.tabular_encoder().fit(frame).transform(frame)
    assert out.shape == (4, 4)
    assert out[:, 0] == pytest.approx([-1.341641, -0.447214, 0.447214, 1.341641], abs=1e-6)
    assert out[:, 1:].sum(axis=1).tolist() == [1, 1, 1, 1]


def test_metrics_with_ci_counts_and_intervals():
    table = ev.metrics_with_ci(Y, SCORES >= 0.5)
    assert table.loc["准确率", ["分子", "分母"]].tolist() == [6, 8]
    assert table.loc["召回率（敏感度）", "值"] == 0.75
    assert table.loc["精确率", "下限"] == pytest.approx(0.300642, abs=1e-6)
    assert np.isnan(ev.metrics_with_ci(Y, np.zeros(8)).loc["精确率", "值"])    # never predicts positive


def test_expected_cost_and_choose_threshold():
    assert ev.expected_cost(Y, SCORES >= 0.5, cost_fn=5, cost_fp=1) == pytest.approx(0.75)
    assert ev.choose_threshold(Y, SCORES, 1, 1) == pytest.approx(0.7)
    assert ev.choose_threshold(Y, SCORES, cost_fn=10, cost_fp=1) == pytest.approx(0.35)   # misses expensive: lower
    assert ev.choose_threshold(Y, SCORES, cost_fn=1, cost_fp=10) == pytest.approx(0.7)
    assert ev.choose_threshold(np.zeros(4), np.arange(4.0), 1, 1) == np.inf               # all negative: predict none


def test_choose_threshold_is_the_minimum_over_all_thresholds():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.clip(y * 0.3 + rng.random(300) * 0.7, 0, 1)
    t = ev.choose_threshold(y, s, 4.0, 1.0)
    best = min(ev.expected_cost(y, s >= c, 4.0, 1.0) for c in np.append(np.unique(s), np.inf))
    assert ev.expected_cost(y, s >= t, 4.0, 1.0) == pytest.approx(best)


def test_bootstrap_ci_pinned_and_skips_undefined_resamples():
    assert ev.bootstrap_ci(np.mean, np.arange(10.0), n_boot=200, seed=0) == pytest.approx((4.5, 2.9, 6.4))
    from sklearn.metrics import roc_auc_score

    y = np.array([1] + [0] * 9)
    point, lo, hi = ev.bootstrap_ci(roc_auc_score, y, np.linspace(1, 0, 10), n_boot=300, seed=0)
    assert point == 1.0 and lo == hi == 1.0                                    # one-class resamples were skipped
    with pytest.raises(ValueError, match="重抽"):
        ev.bootstrap_ci(roc_auc_score, np.array([1, 1, 1]), np.array([0.9, 0.5, 0.1]), n_boot=100, seed=0)


def test_temperature_scaling():
    assert ev.softmax_with_temperature([[0.0, np.log(3)]])[0] == pytest.approx([0.25, 0.75])
    assert ev.softmax_with_temperature([[0.0, np.log(3)]], 2.0)[0] == pytest.approx([0.366025, 0.633975], abs=1e-6)
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    labels = np.array([0, 1, 1, 1, 0])
    t = ev.fit_temperature(logits, labels)
    assert t == pytest.approx(3.003, abs=1e-3)

    def nll(temp):
        p = ev.softmax_with_temperature(logits, temp)
        return -np.log(p[np.arange(5), labels]).mean()

    assert nll(t) < nll(t - 0.05) and nll(t) < nll(t + 0.05)                     # a minimum of the likelihood


def test_reliability_table_and_ece():
    table = ev.reliability_table(Y, SCORES, n_bins=5)
    assert table["样本数"].tolist() == [1, 2, 1, 2, 2]
    assert ev.expected_calibration_error(Y, SCORES, n_bins=5) == pytest.approx(0.19375)
    assert ev.expected_calibration_error(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.0


def test_recall_at_k():
    scores = np.array([[0.9, 0.1, 0.5, 0.3], [0.2, 0.8, 0.1, 0.7], [0.1, 0.2, 0.3, 0.4]])
    relevant = np.array([[1, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]], dtype=bool)
    assert ev.recall_at_k(scores, relevant, 2).tolist() == [0.5, 0.0]          # the user without held-out items is left out
    seen = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]], dtype=bool)
    assert ev.recall_at_k(scores, relevant, 3, exclude=seen).tolist() == [0.5, 1.0]
    with pytest.raises(ValueError, match="k"):
        ev.recall_at_k(scores, relevant, 4)


def test_group_split_keeps_groups_together_and_hits_the_fractions():
    groups = np.repeat(np.arange(300), np.random.default_rng(0).integers(1, 5, 300))
    parts = ev.group_split(groups, (0.7, 0.1, 0.2), seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(groups)))
    owners = [set(groups[p]) for p in parts]
    assert not (owners[0] & owners[1] or owners[0] & owners[2] or owners[1] & owners[2])
    for part, frac in zip(parts, (0.7, 0.1, 0.2)):
        assert abs(len(part) / len(groups) - frac) < 0.02
    assert [p.tolist() for p in ev.group_split(groups, seed=0)] == [p.tolist() for p in parts]   # reproducible
    with pytest.raises(ValueError, match="加起来等于 1"):
        ev.group_split(groups, (0.5, 0.4))
