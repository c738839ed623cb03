"""lmbook.text (generated from chapters 0–1): vocabulary, windows, baselines, masking and sampling, pinned."""
import math

import numpy as np
import pytest
import torch

from lmbook import text


def test_char_vocab_round_trip_and_specials():
    vocab = text.CharVocab("滚滚长江东逝水", specials=["[MASK]"])
    assert vocab.chars == sorted(set("滚滚长江东逝水")) and vocab.n_chars == 6 and len(vocab) == 7
    assert vocab.id("[MASK]") == 6
    ids = vocab.encode("长江滚滚")
    assert ids.dtype == torch.long and vocab.decode(ids) == "长江滚滚"
    with pytest.raises(ValueError, match="字符 '浪' 不在字符表里"):
        vocab.encode("浪花")
    with_unk = text.CharVocab("ab", specials=["[UNK]"])
    assert with_unk.decode(with_unk.encode("abc")) == "ab[UNK]"


def test_split_and_windows():
    ids = torch.arange(101)
    train, val, test = text.split_ids(ids, (0.8, 0.1, 0.1))
    assert (len(train), len(val), len(test)) == (81, 10, 10) and torch.equal(torch.cat([train, val, test]), ids)
    with pytest.raises(ValueError, match="加起来等于 1"):
        text.split_ids(ids, (0.5, 0.4))
    x, y = text.lm_windows(ids, 10)
    assert x.shape == (10, 10) and torch.equal(y, x + 1)
    g = torch.Generator().manual_seed(0)
    xb, yb = text.random_windows(ids, 4, 8, g)
    assert xb.shape == (4, 8) and torch.equal(yb, xb + 1)
    xb2, _ = text.random_windows(ids, 4, 8, torch.Generator().manual_seed(0))
    assert torch.equal(xb, xb2), "the same seed gives the same batch"


def test_perplexity_and_bits():
    assert text.perplexity(math.log(50)) == pytest.approx(50)
    assert text.bits_per_char(100 * math.log(2), 100) == pytest.approx(1.0)


def test_ngram_baselines():
    train = torch.tensor([0, 1] * 500)  # "ababab…": the next symbol is certain given the previous one
    base = text.NgramBaseline(train, vocab_size=4)
    assert base.unigram_nll([0, 1]) == pytest.approx(-math.log(501 / 1004))
    assert base.bigram_nll([0, 1], [1, 0]) < 0.05 < base.unigram_nll([1, 0])
    # an unknown previous symbol (e.g. [MASK] = 4) falls back to the unigram
    assert base.bigram_nll([4], [1]) == pytest.approx(base.unigram_nll([1]))
    assert base.prior_strength in (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def test_mask_tokens_80_10_10():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 100, (1_000_000,), generator=g)
    inputs, labels = text.mask_tokens(ids, mask_id=100, n_regular=100, generator=g)
    chosen = labels != text.IGNORE_INDEX
    assert chosen.float().mean().item() == pytest.approx(0.15, abs=0.002)
    masked = (inputs[chosen] == 100).float().mean().item()
    kept = (inputs[chosen] == ids[chosen]).float().mean().item()
    assert masked == pytest.approx(0.8, abs=0.005) and kept == pytest.approx(0.1 + 0.1 / 100, abs=0.005)
    assert torch.equal(inputs[~chosen], ids[~chosen]) and int(inputs.max()) == 100
    assert torch.equal(labels[chosen], ids[chosen])


def test_sample_next():
    logits = torch.tensor([[1.0, 3.0, 2.0, -1.0]])
    assert text.sample_next(logits, temperature=0).tolist() == [1]
    assert text.sample_next(logits, top_k=1, generator=torch.Generator().manual_seed(0)).tolist() == [1]
    assert text.sample_next(logits, top_p=0.01, generator=torch.Generator().manual_seed(0)).tolist() == [1]
    g = torch.Generator().manual_seed(0)
    draws = text.sample_next(logits.repeat(20_000, 1), generator=g)
    freq = torch.bincount(draws, minlength=4).float() / len(draws)
    assert torch.allclose(freq, torch.softmax(logits[0], -1), atol=0.01)
    g = torch.Generator().manual_seed(0)
    top2 = text.sample_next(logits.repeat(5_000, 1), top_k=2, generator=g)
    assert set(top2.tolist()) == {1, 2}
    g = torch.Generator().manual_seed(0)
    nucleus = text.sample_next(logits.repeat(5_000, 1), top_p=0.85, generator=g)  # p = .657, .242, .089 → {1, 2}
    assert set(nucleus.tolist()) == {1, 2}
    pinned = text.sample_next(logits.repeat(8, 1), temperature=0.7, generator=torch.Generator().manual_seed(42))
    assert pinned.tolist() == text.sample_next(logits.repeat(8, 1), temperature=0.7,
                                               generator=torch.Generator().manual_seed(42)).tolist()
    with pytest.raises(ValueError, match="temperature"):
        text.sample_next(logits, temperature=-1)


def test_sentence_embeddings_rank_paraphrases_first():
    from lmbook import data

    tokenizer, encoder = data.load_minilm()
    vecs = text.sentence_embeddings(tokenizer, encoder, [
        "The delivery was fast.", "Shipping was quick.", "The screen cracked after a day."])
    assert vecs.shape == (3, 384)
    np.testing.assert_allclose(vecs.norm(dim=1).numpy(), 1.0, atol=1e-5)
    sims = vecs @ vecs.T
    assert sims[0, 1] > sims[0, 2] + 0.2


# ── near-duplicate detection (notebooks/ch04_challenges/01_data_challenges.ipynb)
def test_char_shingles_and_jaccard():
    assert text.char_shingles("好评好评", 3) == {"好评好", "评好评"}
    assert text.char_shingles("好评", 3) == {"好评"}  # shorter than k: the whole text is one shingle
    assert text.jaccard({"a", "b", "c"}, {"b", "c", "d"}) == 0.5
    assert text.jaccard(set(), set()) == 1.0
    with pytest.raises(ValueError, match="shingle"):
        text.char_shingles("abc", 0)


def test_near_duplicate_groups_small_cases():
    texts = [
        "房间很干净，服务也很周到，下次还会再来。",   # 0
        "房间很干净，服务也很周到，下次还会再来。",   # 1 exact copy of 0
        "房间很干净，服务也很周到，下次还会再来！！",  # 2 near copy of 0 (Jaccard 0.85 on 3-grams)
        "物流太慢了，等了一个星期才到货。",           # 3 different
        "",                                            # 4
        "",                                            # 5 exact copy of 4
    ]
    assert text.jaccard(text.char_shingles(texts[0]), text.char_shingles(texts[2])) == pytest.approx(17 / 20)
    assert text.near_duplicate_groups(texts) == [0, 0, 0, 1, 2, 2]
    assert text.near_duplicate_groups(texts, threshold=0.9) == [0, 0, 1, 2, 3, 3]  # 0.85 < 0.9: not merged
    assert text.near_duplicate_groups([]) == []
    # transitivity: a≈b and b≈c put all three in one group even if a and c alone are below the threshold
    a = "abcdefghijklmnopqrst"
    b = a[:-1] + "X"
    c = "Y" + b[1:]
    sims = [text.jaccard(text.char_shingles(x), text.char_shingles(y)) for x, y in ((a, b), (b, c), (a, c))]
    assert sims == pytest.approx([17 / 19, 17 / 19, 16 / 20])
    assert text.near_duplicate_groups([a, b, c], threshold=0.85) == [0, 0, 0]
    assert text.near_duplicate_groups([a, c], threshold=0.85) == [0, 1]
    with pytest.raises(ValueError, match="threshold"):
        text.near_duplicate_groups(texts, threshold=0)


def test_near_duplicate_groups_on_the_review_corpus():
    from lmbook import data

    folder = data.source_dir("reviews") / "sentiment"
    lines = [line.strip() for name in ("pos.txt", "neg.txt")
             for line in open(folder / name, encoding="utf-8") if line.strip()]
    groups = text.near_duplicate_groups(lines)
    assert len(lines) == 35_123 and len(set(lines)) == 17_410
    assert len(set(groups)) == 17_367  # datasketch 2.0.0, 128 permutations, seed 0, Jaccard ≥ 0.8 on 3-grams
    assert groups == text.near_duplicate_groups(lines)  # deterministic
    first = {}
    assert all(first.setdefault(t, g) == g for t, g in zip(lines, groups))  # exact copies share a group
    assert sorted(set(groups)) == list(range(len(set(groups))))  # ids 0 … G-1


# ---- chapter 5 -------------------------------------------------------------------------------------------------
def test_encode_texts_cls_pad_and_unknown_characters():
    vocab = text.CharVocab("你好世界", specials=list(text.CHAR_SPECIALS))
    ids = text.encode_texts(vocab, ["你好", "世界和平啊啊"], 5)
    pad, unk, cls = (vocab.id(s) for s in ("[PAD]", "[UNK]", "[CLS]"))
    assert ids.tolist() == [[cls, vocab.id("你"), vocab.id("好"), pad, pad],
                            [cls, vocab.id("世"), vocab.id("界"), unk, unk]]   # truncated to seq_len − 1 characters


def test_masked_windows_are_reproducible_windows_with_masks():
    ids = torch.arange(4, 200)
    first = next(text.masked_windows(ids, batch_size=8, seq_len=6, mask_id=3, n_regular=200, seed=0))
    again = next(text.masked_windows(ids, batch_size=8, seq_len=6, mask_id=3, n_regular=200, seed=0))
    inputs, labels = first
    assert inputs.shape == labels.shape == (8, 6) and torch.equal(inputs, again[0]) and torch.equal(labels, again[1])
    original = torch.where(labels != text.IGNORE_INDEX, labels, inputs)
    assert torch.equal(original[:, 1:] - original[:, :-1], torch.ones(8, 5, dtype=torch.long))  # contiguous windows
    with pytest.raises(ValueError, match="不够取长度"):
        next(text.masked_windows(torch.arange(5), batch_size=1, seq_len=6, mask_id=0, n_regular=5))


def test_first_sentence_and_docstring_topics():
    assert text.first_sentence("Compute the mean.\n\n    More text.") == "Compute the mean."
    assert text.first_sentence("Return the value\n    of x.  Then more.") == "Return the value of x."
    sentences, labels, names = text.docstring_topics({"json": ("json",), "csv": ("csv",)}, min_words=3)
    assert names == ["json", "csv"] and len(sentences) == len(labels) > 5 and set(labels) == {0, 1}
    assert sentences == sorted(sentences) and len(set(sentences)) == len(sentences)


def test_docstring_topics_do_not_depend_on_what_the_caller_imported(monkeypatch):
    """Jupyter wraps pyplot.draw_if_interactive (IPython's flag_calls, another package): 5.2 once built one sentence
    fewer than 5.3. The dataset is collected in a fresh process, so the caller's import state cannot change it."""
    from IPython.utils.decorators import flag_calls
    import matplotlib.pyplot as plt

    plotting = {"plotting": ("matplotlib.pyplot",)}
    before = text.docstring_topics(plotting)
    assert "Redraw the current figure if in interactive mode." in before[0]
    monkeypatch.setattr(plt, "draw_if_interactive", flag_calls(plt.draw_if_interactive))   # what %matplotlib does
    assert text.docstring_topics(plotting) == before


def test_docstring_topics_keep_only_the_package_own_objects(tmp_path, monkeypatch):
    """A package whose name merely shares the prefix (fakedocs_extra vs fakedocs) is another package: skipped."""
    (tmp_path / "fakedocs").mkdir()
    (tmp_path / "fakedocs" / "__init__.py").write_text("")
    (tmp_path / "fakedocs" / "helpers.py").write_text('def gamma():\n    """Gamma lives in a sibling module here."""\n')
    (tmp_path / "fakedocs_extra.py").write_text('def beta():\n    """Beta comes from another package entirely."""\n')
    (tmp_path / "fakedocs" / "mod.py").write_text(
        "from fakedocs.helpers import gamma\nfrom fakedocs_extra import beta\n\n\n"
        'def alpha():\n    """Alpha is defined right in this module."""\n')
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    sentences, labels, names = text.docstring_topics({"fake": ("fakedocs.mod",)}, min_words=3)
    assert sentences == ["Alpha is defined right in this module.", "Gamma lives in a sibling module here."]
    assert labels == [0, 0] and names == ["fake"]


def test_encoder_task_offline_and_online_is_one_flag(monkeypatch):
    calls = []
    monkeypatch.setattr(text, "load_minilm", lambda online=None, hub_id=None: calls.append((online, hub_id)) or ("tok", "enc"))
    monkeypatch.setattr(text, "load_chinese_reviews", lambda online=None: calls.append(("reviews", online)) or (["好", "差"], [1, 0]))
    monkeypatch.setattr(text, "docstring_topics", lambda: (["a b c d e"], [0], ["only"]))
    offline = text.encoder_task(online=False)
    assert offline.texts == ["a b c d e"] and calls == [(False, None)]
    calls.clear()
    online = text.encoder_task(online=True, hub_id="some/chinese-bert")
    assert calls == [(True, "some/chinese-bert"), ("reviews", True)]
    assert online.labels == [1, 0] and online.names == ["负面", "正面"] and "some/chinese-bert" in online.description


def test_chinese_corpus_splits_keep_near_duplicates_together():
    corpus = text.chinese_corpus()
    parts = [set(corpus.train_idx), set(corpus.val_idx), set(corpus.test_idx)]
    assert sum(map(len, parts)) == len(corpus.texts) and not (parts[0] & parts[1] or parts[1] & parts[2] or parts[0] & parts[2])
    groups = np.asarray(text.near_duplicate_groups(corpus.texts))
    seen = [set(groups[list(p)]) for p in parts]
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    assert len(corpus.train_idx) == pytest.approx(0.7 * len(corpus.texts), rel=0.01)
    assert corpus.vocab.specials == list(text.CHAR_SPECIALS) and "很" in corpus.vocab.stoi   # from the training reviews
