"""lmbook.gpt (the capstone's GPT, tokenisation helpers and generation) with its Keras twin and interop pair."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from lmbook.gpt import (GPT, Corpus, GPTConfig, KVCache, causal_mask, char_splits, generate_tokens, next_token_loss,
                        ngram_bits_per_char, sanguo_corpus, token_char_lengths, train_bpe)
from lmbook.sizing import gpt_params
from lmbook.text import NgramBaseline

TINY = GPTConfig(vocab_size=50, seq_len=16, d_model=32, n_heads=4, n_layers=2)
PINNED_CLASSIFIER_LOGITS = [-0.085891, 0.081866, -0.049437]  # GPTClassifier(tiny_model(), 3) after torch.manual_seed(0)


def tiny_model(cfg: GPTConfig = TINY, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(cfg).eval()


@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("sizes", [(2, 32, 50, 16), (6, 384, 3888, 256)])
def test_parameter_count_equals_formula(sizes, tied):
    n_layers, d_model, vocab_size, seq_len = sizes
    cfg = GPTConfig(vocab_size, seq_len, d_model, n_heads=4 if d_model == 32 else 6, n_layers=n_layers, tie_weights=tied)
    model = GPT(cfg)
    assert sum(p.numel() for p in model.parameters()) == gpt_params(n_layers, d_model, vocab_size, seq_len, tied=tied)
    assert (model.head.weight is model.tok_emb.weight) == tied


def test_pinned_parameter_counts():
    assert gpt_params(6, 384, 3888, 256) == 12_238_848
    assert sum(p.numel() for p in GPT(TINY).parameters()) == 27_584


def test_config_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="整除"):
        GPTConfig(vocab_size=10, d_model=30, n_heads=4)
    assert TINY.d_head == 8 and TINY.ff_width == 128


def test_causal_mask_offsets():
    assert causal_mask(2, 4).tolist() == [[True, True, True, False], [True, True, True, True]]
    assert torch.equal(causal_mask(3, 3), torch.ones(3, 3, dtype=torch.bool).tril())


def test_fused_and_handwritten_attention_agree_and_are_causal():
    fused = tiny_model()
    hand = GPT(dataclasses.replace(TINY, fused_attention=False)).eval()
    hand.load_state_dict(fused.state_dict())
    ids = torch.randint(0, 50, (3, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = fused(ids)
        torch.testing.assert_close(out, hand(ids), atol=1e-5, rtol=0)
        changed = ids.clone()
        changed[:, 6:] = (changed[:, 6:] + 1) % 50
        assert torch.equal(fused(changed)[:, :6], out[:, :6])  # the future does not leak into the past
        assert not torch.allclose(fused(changed)[:, 6:], out[:, 6:])


def test_forward_rejects_too_long_input():
    with pytest.raises(ValueError, match="seq_len"):
        tiny_model()(torch.zeros(1, 17, dtype=torch.long))


def test_pinned_initial_loss():
    ids = torch.arange(2 * 16).view(2, 16) % 50
    loss = next_token_loss(tiny_model(), (ids, (ids + 1) % 50)).item()
    assert loss == pytest.approx(3.936786, abs=1e-4)
    assert abs(loss - math.log(50)) < 0.1


def test_kv_cache_equals_recompute():
    model = tiny_model()
    ids = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        full = model(ids)
        cache = KVCache(TINY, 2)
        steps = torch.cat([model(ids[:, :5], cache)] + [model(ids[:, t:t + 1], cache) for t in range(5, 16)], dim=1)
    assert cache.length == 16 == cache.capacity
    torch.testing.assert_close(steps, full, atol=1e-5, rtol=0)
    prompt = ids[:, :4]
    for kwargs in (dict(temperature=0.0), dict(temperature=0.9, top_k=10), dict(temperature=1.0, top_p=0.8)):
        a = generate_tokens(model, prompt, 12, use_cache=True, generator=torch.Generator().manual_seed(2), **kwargs)
        b = generate_tokens(model, prompt, 12, use_cache=False, generator=torch.Generator().manual_seed(2), **kwargs)
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="seq_len"):
        generate_tokens(model, prompt, 13)


def test_pinned_seeded_generation():
    out = generate_tokens(tiny_model(), torch.tensor([[1, 2, 3]]), 8, temperature=1.0, top_k=20,
                   generator=torch.Generator().manual_seed(0))
    assert out[0].tolist() == [1, 2, 3, 22, 8, 15, 18, 30, 30, 8, 4]
    greedy = generate_tokens(tiny_model(), torch.tensor([[1, 2, 3]]), 8, temperature=0.0)
    assert greedy[0].tolist() == [1, 2, 3, 12, 12, 12, 12, 12, 12, 12, 12]


def test_generate_restores_training_mode():
    model = tiny_model().train()
    generate_tokens(model, torch.tensor([[1]]), 2)
    assert model.training


def test_train_bpe_and_token_lengths():
    text = "玄德曰：“吾乃中山靖王之后。”\n玄德大喜。玄德曰：“云长何在？”\n" * 20
    tok = train_bpe(text, vocab_size=30)
    assert tok.get_vocab_size() == 30
    assert tok.decode(tok.encode(text).ids) == text
    assert "玄德曰" in tok.get_vocab()
    lengths = token_char_lengths(tok)
    ids = tok.encode(text).ids
    assert int(lengths[ids].sum()) == len(text)
    assert tok.encode("玄德曰：").tokens == ["玄德曰", "："]
    assert tok.encode("曹").tokens == ["[UNK]"]


def test_ngram_bits_per_char_by_hand():
    train = torch.tensor([0, 1, 0, 1, 0, 2, 0, 1, 0, 1])
    ngram = NgramBaseline(train, 3, prior_strength=1.0)
    x, y = torch.tensor([0, 1, 0]), torch.tensor([1, 0, 2])
    got = ngram_bits_per_char(ngram, x, y, n_chars=6)
    assert got["一元"] == pytest.approx(ngram.unigram_nll(y) * 3 / math.log(2) / 6)
    assert got["二元"] == pytest.approx(ngram.bigram_nll(x, y) * 3 / math.log(2) / 6)
    assert got["二元"] < got["一元"]


def test_sanguo_corpus_and_splits():
    corpus = sanguo_corpus()
    assert isinstance(corpus, Corpus) and len(corpus.titles) == 120
    assert len(corpus.text) == 593_536 and " " not in corpus.text and "\u3000" not in corpus.text
    vocab, (train, val, test) = char_splits(corpus.text)
    assert (len(train), len(val), len(test)) == (534_182, 29_677, 29_677)
    assert len(vocab) == 3_888 and vocab.specials == ["[UNK]"]
    assert int((val == vocab.id("[UNK]")).sum()) == 130


def test_keras_twin_parity_both_ways():
    from lmbook.env import import_tensorflow

    import_tensorflow()
    from lmbook.interop import copy_weights
    from lmbook.keras_blocks import build_gpt_tf

    for tied in (True, False):
        cfg = dataclasses.replace(TINY, tie_weights=tied)
        model = tiny_model(cfg)
        with torch.no_grad():
            for p in model.parameters():  # biases and LayerNorms start at 0/1: perturb so a dropped copy is caught
                p.add_(0.05 * torch.randn_like(p))
        model_tf = build_gpt_tf(cfg)
        copy_weights(model, model_tf)
        ids = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(3))
        with torch.no_grad():
            expected = model(ids).numpy()
        np.testing.assert_allclose(np.asarray(model_tf(ids.numpy(), training=False)), expected, atol=1e-4)
        back = GPT(cfg).eval()
        copy_weights(model_tf, back)
        with torch.no_grad():
            np.testing.assert_allclose(back(ids).numpy(), expected, atol=1e-4)
        assert int(sum(np.prod(w.shape) for w in model_tf.weights)) == gpt_params(2, 32, 50, 16, tied=tied)
    with pytest.raises(ValueError, match="结构不同"):
        copy_weights(tiny_model(), build_gpt_tf(dataclasses.replace(TINY, tie_weights=False)))


def test_flops_per_token_formula_and_counter():
    from torch.utils.flop_counter import FlopCounterMode

    from lmbook.gpt import gpt_flops_per_token

    assert gpt_flops_per_token(GPTConfig(vocab_size=3_888)) == 6 * (12_238_848 - 256 * 384) + 12 * 6 * 256 * 384
    cfg = dataclasses.replace(TINY, fused_attention=False)
    x = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(0))
    with FlopCounterMode(display=False) as counter:
        next_token_loss(GPT(cfg), (x, x)).backward()
    assert counter.get_total_flops() / x.numel() == pytest.approx(gpt_flops_per_token(cfg), rel=0.05)


def test_benchmark_and_command_line(capsys):
    import importlib.util
    from pathlib import Path

    from lmbook.gpt import BENCH_CONFIGS, benchmark_gpt, measure_matmul_peak

    peak = measure_matmul_peak("cpu", n=128, repeat=2)
    assert peak > 0
    result = benchmark_gpt(TINY, batch_size=2, peak_flops=peak, steps=2, warmup=1)
    assert result.tokens_per_s == pytest.approx(2 * 16 / (result.ms_per_iter / 1e3))
    assert result.mfu == pytest.approx(result.achieved_flops / peak) and result.dtype == "fp32"
    assert set(BENCH_CONFIGS) == {"cpu", "baby"} and BENCH_CONFIGS["baby"][0].d_model == 384
    path = Path(__file__).resolve().parents[1] / "tools" / "bench_gpt.py"
    spec = importlib.util.spec_from_file_location("bench_gpt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--config", "cpu", "--batch-size", "2", "--steps", "1", "--warmup", "0"]) == 0
    out = capsys.readouterr().out
    assert "ms/iter" in out and "tokens/s" in out and "MFU" in out


def test_save_and_load_gpt_round_trip(tmp_path):
    from lmbook.gpt import load_gpt, save_gpt
    from lmbook.text import CharVocab

    vocab = CharVocab("玄德曰吾乃中山靖王之后" * 3 + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", specials=["[UNK]"])
    cfg = dataclasses.replace(TINY, vocab_size=len(vocab))
    model = tiny_model(cfg)
    path = save_gpt(tmp_path / "m.safetensors", model, vocab)
    loaded, vocab2 = load_gpt(path)
    ids = torch.randint(0, len(vocab), (2, 16), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(model(ids), loaded(ids))
    assert vocab2.itos == vocab.itos and vocab2.specials == ["[UNK]"] and loaded.cfg == cfg
    assert loaded.head.weight is loaded.tok_emb.weight
    assert path.stat().st_size < sum(p.numel() for p in model.parameters()) * 4 * 1.2


def test_sanguo_chapters_join_to_the_corpus_text():
    from lmbook.gpt import sanguo_chapters
    chapters = sanguo_chapters()
    assert len(chapters) == 120
    assert "\n".join(chapters) == sanguo_corpus().text
    assert chapters[0].startswith("滚滚长江东逝水") and not any(" " in c or "\t" in c for c in chapters)


def test_gpt_hidden_plus_head_is_the_forward():
    from lmbook.gpt import gpt_hidden
    model = tiny_model()
    ids = torch.randint(0, 50, (3, 16), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        hidden = gpt_hidden(model, ids)
        assert hidden.shape == (3, 16, 32)
        torch.testing.assert_close(model.head(hidden), model(ids), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="seq_len"):
        gpt_hidden(model, torch.zeros(1, 17, dtype=torch.long))


def test_gpt_classifier_pooling_and_pinned_logits():
    from lmbook.gpt import GPTClassifier, gpt_hidden
    ids = torch.arange(2 * 16).view(2, 16) % 50
    body = tiny_model()
    torch.manual_seed(0)
    mean_clf = GPTClassifier(body, 3).eval()
    last_clf = GPTClassifier(body, 3, pool="last").eval()
    last_clf.head.load_state_dict(mean_clf.head.state_dict())
    with torch.no_grad():
        hidden = gpt_hidden(body, ids)
        out = mean_clf(ids)
        torch.testing.assert_close(out, mean_clf.head(hidden.mean(1)))
        torch.testing.assert_close(last_clf(ids), mean_clf.head(hidden[:, -1]))
        changed = ids.clone()
        changed[:, -1] = (changed[:, -1] + 1) % 50   # the last position sees the whole passage …
        assert not torch.allclose(last_clf(changed), last_clf(ids))
        changed_first = ids.clone()
        changed_first[:, 0] = (changed_first[:, 0] + 1) % 50  # … and so does it see the first character
        assert not torch.allclose(last_clf(changed_first), last_clf(ids))
    assert out.shape == (2, 3)
    assert mean_clf.gpt is body  # the body is shared, not copied: fine-tuning updates the pretrained weights
    assert out[0].tolist() == pytest.approx(PINNED_CLASSIFIER_LOGITS, abs=1e-4)
    with pytest.raises(ValueError, match="pool"):
        GPTClassifier(body, 3, pool="max")


def test_gpt_classifier_trains_with_fit():
    from lmbook.gpt import GPTClassifier
    from lmbook.training import accuracy, fit
    torch.manual_seed(0)
    ids = torch.randint(1, 50, (64, 16), generator=torch.Generator().manual_seed(3))
    labels = (ids == 7).any(dim=1).long()   # does the passage contain token 7?
    model = GPTClassifier(GPT(TINY), 2)
    batches = [(ids[i:i + 16], labels[i:i + 16]) for i in range(0, 64, 16)]
    before = accuracy(model, (ids, labels))
    fit(model, batches, optimizer=torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=30, progress=False)
    assert accuracy(model.eval(), (ids, labels)) > max(before, 0.9)
