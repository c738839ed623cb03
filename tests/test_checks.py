import numpy as np
import pytest

from lmbook import check_close, to_numpy


def test_to_numpy_from_both_frameworks():
    import torch

    from lmbook.env import import_tensorflow

    tf = import_tensorflow()
    np.testing.assert_array_equal(to_numpy(torch.arange(3)), [0, 1, 2])
    np.testing.assert_array_equal(to_numpy(tf.range(3)), [0, 1, 2])
    np.testing.assert_array_equal(to_numpy([1, 2]), [1, 2])


def test_check_close_passes_and_prints_stable_line(capsys):
    assert check_close(np.ones(3), np.ones(3) + 1e-9, label="演示", atol=1e-6) is None
    assert capsys.readouterr().out == "演示: 一致 ✓（形状 (3,)，逐元素误差在容差 atol=1e-06 内）\n"


def test_check_close_reports_worst_element():
    a = np.zeros((2, 2))
    b = a.copy()
    b[1, 0] = 0.5
    with pytest.raises(AssertionError, match=r"最大绝对差 0.5.*位置 \(1, 0\)"):
        check_close(a, b, label="x")


def test_check_close_shape_mismatch():
    with pytest.raises(ValueError, match=r"形状不同 \(2,\) ≠ \(3,\)"):
        check_close(np.zeros(2), np.zeros(3))
