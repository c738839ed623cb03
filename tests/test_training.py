import numpy as np
import pytest

import lmbook
from lmbook.training import History, iterate_minibatches


def test_minibatches_cover_every_index_once():
    batches = iterate_minibatches(10, 4, rng=np.random.default_rng(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="batch_size 必须 ≥ 1"):
        iterate_minibatches(10, 0)


def test_train_torch_learns_a_separable_problem():
    import torch

    torch.manual_seed(0)
    X = torch.randn(400, 2)
    y = (X[:, 0] + X[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    history = lmbook.train_torch(model, X[:300], y[:300], X[300:], y[300:], epochs=15, batch_size=32, lr=1e-2,
                                 progress=False)
    assert len(history.val_acc) == 15
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] > 0.9
    assert lmbook.count_params_torch(model) == 2 * 16 + 16 + 16 * 2 + 2


def test_history_from_keras_needs_validation():
    class Fake:
        history = {"loss": [1.0, 0.5]}

    with pytest.raises(ValueError, match="validation_data"):
        History.from_keras(Fake())
    Fake.history = {"loss": [1.0], "val_loss": [0.9], "val_accuracy": [0.7]}
    assert History.from_keras(Fake()) == History([1.0], [0.9], [0.7])


def test_plots(tmp_path):
    import matplotlib.pyplot as plt

    h = History([1.0, 0.5], [1.1, 0.7], [0.5, 0.8])
    fig = lmbook.plot_histories({"PyTorch": h, "Keras": h})
    fig.savefig(tmp_path / "h.png")
    matrix = lmbook.plot_confusion([0, 1, 1, 2], [0, 1, 2, 2], labels=["甲", "乙", "丙"])
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    plt.close("all")
