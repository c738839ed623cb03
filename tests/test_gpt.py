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
