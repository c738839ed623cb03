"""lmbook.training (generated from chapter 1.4) and lmbook.history."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import lmbook
from lmbook.history import History
from lmbook.training import TensorBatches, accuracy, evaluate, fit, predict


def separable(n=400, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    return X, (X[:, 0] + X[:, 1] > 0).long()


def small_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))


def test_tensor_batches_cover_every_row_once_and_reshuffle():
    X, y = torch.arange(10), torch.arange(10) * 2
    batches = TensorBatches(X, y, batch_size=4, shuffle=True, seed=3)
    first = [b[0].tolist() for b in batches]
    assert [len(b) for b in first] == [4, 4, 2] and len(batches) == 3
    assert sorted(sum(first, [])) == list(range(10))
    second = [b[0].tolist() for b in batches]
    assert first != second, "each pass reshuffles"
    assert [b[0].tolist() for b in TensorBatches(X, y, batch_size=4, shuffle=True, seed=3)] == first, "reproducible"
    assert all(torch.equal(b[1], b[0] * 2) for b in batches), "rows stay aligned"
    with pytest.raises(ValueError, match="长度相同"):
        TensorBatches(X, y[:5], batch_size=2)


def test_fit_learns_and_records_any_metric():
    X, y = separable()
    model = small_net()
    hist = fit(model, TensorBatches(X[:300], y[:300], batch_size=32, shuffle=True), epochs=15,
               optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
               val_batches=TensorBatches(X[300:], y[300:], batch_size=100), metrics={"acc": accuracy},
               count_tokens=lambda b: len(b[0]), progress=False)
    assert len(hist) == 15 and hist["epoch"] == list(map(float, range(1, 16)))
    assert hist["train_loss"][-1] < hist["train_loss"][0] and hist.last("val_acc") > 0.9
    assert hist["tokens"][-1] == 15 * 300 and hist["step"][-1] == 15 * 10
    with pytest.raises(KeyError, match="没有 'val_ppl'"):
        hist["val_ppl"]


def test_early_stopping_restores_the_best_weights():
    X, y = separable()
    model = small_net()
    val = TensorBatches(X[300:], y[300:], batch_size=100)
    hist = fit(model, TensorBatches(X[:300], y[:300], batch_size=300), epochs=200, patience=3,
               optimizer=torch.optim.SGD(model.parameters(), lr=5.0), val_batches=val, progress=False)  # lr too high
    best = hist.best("val_loss")
    assert len(hist) < 200, "stopped early"
    assert evaluate(model, val)["loss"] == pytest.approx(best["val_loss"], rel=1e-5)
    with pytest.raises(ValueError, match="val_batches"):
        fit(model, [], optimizer=torch.optim.SGD(model.parameters(), lr=0.1), patience=2)


def test_accumulation_equals_the_large_batch():
    X, y = separable(64)
    a, b = small_net(), small_net()
    fit(a, TensorBatches(X, y, batch_size=64), optimizer=torch.optim.SGD(a.parameters(), lr=0.1), progress=False)
    fit(b, TensorBatches(X, y, batch_size=16), accumulate=4, optimizer=torch.optim.SGD(b.parameters(), lr=0.1),
        progress=False)
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, atol=1e-6, rtol=0)


def test_steps_eval_every_schedule_clip_and_bf16():
    X, y = separable()
    model = small_net()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=25)

    def endless():
        g = torch.Generator().manual_seed(0)
        while True:
            idx = torch.randint(0, 300, (32,), generator=g)
            yield X[idx], y[idx]

    hist = fit(model, endless(), optimizer=opt, scheduler=sched, max_steps=25, eval_every=10, clip_norm=1.0,
               amp_dtype=torch.bfloat16, val_batches=TensorBatches(X[300:], y[300:], batch_size=100), progress=False)
    assert hist["step"] == [10.0, 20.0, 25.0]
    assert hist["lr"][-1] == pytest.approx(0.0, abs=1e-9), "cosine schedule reaches zero at T_max"


def test_predict_and_evaluate_leave_the_mode_alone():
    model = small_net().train()
    X, y = separable(50)
    assert predict(model, X, batch_size=7).shape == (50, 2) and model.training
    result = evaluate(model, [(X, y)], metrics={"acc": accuracy})
    assert set(result) == {"loss", "acc"} and model.training
    assert result["loss"] == pytest.approx(F.cross_entropy(predict(model, X), y).item(), rel=1e-6)


def test_history_from_keras_names_and_plot(tmp_path):
    class Fake:
        history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.4, 0.8], "val_accuracy": [0.5, 0.8],
                   "learning_rate": [0.1, 0.05]}

    h = History.from_keras(Fake())
    assert h.rows[1] == {"epoch": 2.0, "train_loss": 0.5, "val_loss": 0.7, "train_acc": 0.8, "val_acc": 0.8, "lr": 0.05}
    assert h.best("val_acc", mode="max")["epoch"] == 2.0
    fig = lmbook.plot_histories({"Keras": h, "PyTorch": h}, metrics=("loss", "val_acc", "lr"))
    fig.savefig(tmp_path / "h.png")
    import matplotlib.pyplot as plt

    plt.close("all")
    with pytest.raises(ValueError, match="至少要训练一轮"):
        History.from_keras(type("Empty", (), {"history": {}})())


def test_plot_confusion():
    import matplotlib.pyplot as plt

    matrix = lmbook.plot_confusion([0, 1, 1, 2], [0, 1, 2, 2], labels=["甲", "乙", "丙"])
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    plt.close("all")


def test_accumulation_tail_is_one_more_step_and_does_not_leak():
    """5 micro-batches with accumulate=2: two full steps and one step on the last batch alone, renormalised."""
    X, y = separable(80)
    a, b = small_net(), small_net()
    hist = fit(a, TensorBatches(X, y, batch_size=16), accumulate=2, optimizer=torch.optim.SGD(a.parameters(), lr=0.1),
               progress=False)
    assert hist["step"] == [3.0]
    opt = torch.optim.SGD(b.parameters(), lr=0.1)
    for xb, yb in [(X[:32], y[:32]), (X[32:64], y[32:64]), (X[64:], y[64:])]:
        opt.zero_grad()
        F.cross_entropy(b(xb), yb).backward()
        opt.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, atol=1e-6, rtol=0)


def test_stale_gradients_are_cleared_and_grad_norm_is_recorded():
    X, y = separable(64)
    a, b = small_net(), small_net()
    F.cross_entropy(a(X), y).mul(100).backward()  # leftover gradients from before the call
    for m in (a, b):
        hist = fit(m, TensorBatches(X, y, batch_size=64), optimizer=torch.optim.SGD(m.parameters(), lr=0.1),
                   clip_norm=1e6, progress=False)
    torch.testing.assert_close(list(a.parameters())[0], list(b.parameters())[0], atol=1e-7, rtol=0)
    assert hist["grad_norm"][0] > 0


def test_warmup_cosine_schedule():
    from lmbook.training import warmup_cosine_schedule

    opt = torch.optim.SGD(small_net().parameters(), lr=2.0)
    sched = warmup_cosine_schedule(opt, warmup_steps=4, total_steps=12)
    lrs = []
    for _ in range(13):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[:4] == pytest.approx([0.5, 1.0, 1.5, 2.0])
    assert lrs[8] == pytest.approx(1.0) and lrs[12] == pytest.approx(0.0, abs=1e-12)
    assert all(x >= y for x, y in zip(lrs[4:], lrs[5:])), "monotone after the warm-up"
    with pytest.raises(ValueError, match="total_steps"):
        warmup_cosine_schedule(opt, warmup_steps=1, total_steps=0)


# ---- chapter 5: char-level MLM pretraining (with its cache) and fine-tuning ---------------------------------------
def _tiny_corpus():
    from lmbook.text import CHAR_SPECIALS, CharVocab, ChineseCorpus
    import numpy as np

    sanguo = "滚滚长江东逝水，浪花淘尽英雄。是非成败转头空，青山依旧在，几度夕阳红。" * 40
    texts = ["很好", "很差", "不错", "失望"] * 10
    vocab = CharVocab(sanguo + "".join(texts), specials=CHAR_SPECIALS)
    idx = np.arange(len(texts))
    return ChineseCorpus(sanguo, texts, np.array([1, 0, 1, 0] * 10), idx[:24], idx[24:32], idx[32:], vocab)


def test_pretrain_char_mlm_learns_caches_and_reloads_the_same_weights(tmp_path):
    from lmbook.training import CharMLMConfig, pretrain_char_mlm

    cfg = CharMLMConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=16, seq_len=8, batch_size=16, steps=120,
                        lr=3e-3)
    corpus = _tiny_corpus()
    first = pretrain_char_mlm(cfg, corpus, cache_dir=tmp_path, progress=False)
    assert not first.cached and first.n_tokens == 120 * 16 * 8 and (first.path / "model.safetensors").exists()
    assert first.hist.last("val_loss") < first.hist["val_loss"][0] - 0.25
    again = pretrain_char_mlm(cfg, corpus, cache_dir=tmp_path, progress=False)
    assert again.cached and again.seconds == first.seconds and again.hist.rows == first.hist.rows
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(a, b)
    other = pretrain_char_mlm(CharMLMConfig(**{**cfg.as_dict(), "steps": 2}), corpus, cache_dir=tmp_path, progress=False)
    assert not other.cached and other.path != first.path            # another configuration, another cache entry


def test_finetune_char_classifier_copies_the_encoder_and_learns():
    from lmbook.text import encode_texts
    from lmbook.training import CharMLMConfig, FinetuneConfig, finetune_char_classifier

    corpus = _tiny_corpus()
    cfg_mlm = CharMLMConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32, max_len=8)
    X = encode_texts(corpus.vocab, corpus.texts, 8)
    y = torch.as_tensor(corpus.labels)
    encoder = lmbook.torch_blocks.MaskedLanguageModel(**cfg_mlm.encoder_kwargs(corpus.vocab))
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    model, hist = finetune_char_classifier(encoder, corpus.vocab, cfg_mlm, FinetuneConfig(steps=40, batch_size=8,
                                           lr=3e-3, warmup=2, eval_every=10), X[:24], y[:24], X[24:32], y[24:32])
    assert all(torch.equal(before[k], v) for k, v in encoder.state_dict().items())   # the caller's encoder is untouched
    assert hist.best("val_acc", mode="max")["val_acc"] == 1.0 and not model.training
    with pytest.raises(ValueError, match="optimizer 只能是"):
        finetune_char_classifier(None, corpus.vocab, cfg_mlm, FinetuneConfig(steps=1), X[:4], y[:4], X[:4], y[:4],
                                 optimizer="rmsprop")
