"""lmbook.sizing (generated from chapters 1–2): every formula pinned to numbers or to a real model."""
import math

import pytest
import torch
from torch import nn

from lmbook import sizing
from lmbook.torch_blocks import build_mlp


def test_compute_and_cost():
    assert sizing.train_flops(1, 1) == 6
    assert sizing.train_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert sizing.gpu_hours(3600 * 100.0, peak_flops=100.0, utilization=0.5) == 2.0
    assert sizing.training_cost(10, price_per_hour=2.0) == 20
    # the defaults are the book's assumptions: 312 TFLOP/s × 40 %
    assert sizing.gpu_hours(312e12 * 0.4 * 3600) == pytest.approx(1.0)


def test_memory():
    assert sum(sizing.train_state_bytes(1).values()) == 16 == sum(sizing.train_state_bytes(1, mixed=False).values())
    assert sizing.weight_bytes(2, "int4") == 1
    assert sizing.kv_cache_bytes(1, 1, 1, 1) == 4
    assert sizing.kv_cache_bytes(32, 4096, 4096, 1) == 2 * 2**30  # Llama 2 7B, one full sequence, bf16
    assert sizing.kv_cache_bytes(80, 8192, 10, 1, kv_fraction=8 / 64) == sizing.kv_cache_bytes(80, 1024, 10, 1)


def test_compute_optimal_puts_chinchilla_on_the_line():
    assert sizing.compute_optimal(120.0) == (1.0, 20.0)
    n, d = sizing.compute_optimal(sizing.train_flops(70e9, 1.4e12))
    assert math.isclose(n, 70e9) and math.isclose(d, 1.4e12)


def test_mfu():
    assert sizing.model_flops_utilization(1e12, 0.5, 4e12) == 0.5
    with pytest.raises(ValueError, match="必须为正"):
        sizing.model_flops_utilization(1.0, 0.0, 1.0)


def test_mlp_params_match_the_built_models():
    assert sizing.mlp_params([784, 128, 10]) == 101_770
    net = build_mlp([64, 32, 16, 10], dropout=0.1)
    assert sizing.mlp_params([64, 32, 16, 10]) == sum(p.numel() for p in net.parameters())


def test_lstm_params_match_both_frameworks():
    torch_lstm = nn.LSTM(40, 24, num_layers=3)
    assert sizing.lstm_params(40, 24, 3) == sum(p.numel() for p in torch_lstm.parameters())
    assert sizing.lstm_params(10_000, 256, 2) - sizing.lstm_params(10_000, 256, 2, bias_sets=1) == 2 * 4 * 256


@pytest.mark.parametrize("n_layers, d, heads, vocab, n_pos", [(2, 64, 4, 1000, 128), (3, 96, 3, 777, 64)])
def test_gpt_params_match_transformers(n_layers, d, heads, vocab, n_pos):
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(n_layer=n_layers, n_embd=d, n_head=heads, vocab_size=vocab, n_positions=n_pos,
                     bos_token_id=vocab - 1, eos_token_id=vocab - 1)
    assert sizing.gpt_params(n_layers, d, vocab, n_pos) == sum(p.numel() for p in GPT2LMHeadModel(cfg).parameters())
    assert sizing.gpt_params(n_layers, d, vocab, n_pos, tied=False) - sizing.gpt_params(n_layers, d, vocab, n_pos) == vocab * d
    # GPT-3 175B (96 layers, d = 12288, BPE vocabulary 50257, context 2048)
    assert sizing.gpt_params(96, 12288, 50257, 2048) == 174_604_259_328


def test_bert_params_match_transformers():
    from transformers import BertConfig, BertModel

    cfg = BertConfig(num_hidden_layers=2, hidden_size=64, num_attention_heads=4, intermediate_size=200,
                     vocab_size=1000, max_position_embeddings=128)
    assert sizing.bert_params(2, 64, 200, 1000, 128) == sum(p.numel() for p in BertModel(cfg).parameters())


def test_saved_activation_bytes_counts_inputs_of_backward_not_parameters():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU())
    x = torch.randn(8, 16)
    # Linear saves its input (8×16 floats), ReLU its output (8×32 floats); the weight is a parameter
    assert sizing.saved_activation_bytes(model, lambda: model(x).sum()) == 4 * (8 * 16 + 8 * 32)
    assert all(p.grad is None for p in model.parameters()), "the helper leaves no gradients behind"
