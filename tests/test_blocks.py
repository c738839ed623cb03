"""lmbook.torch_blocks / keras_blocks: each block equals PyTorch's own implementation, and the twins agree."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lmbook import torch_blocks
from lmbook.text import IGNORE_INDEX


def test_attention_equals_sdpa_and_respects_the_mask():
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(2, 4, 8, generator=g), torch.randn(2, 6, 8, generator=g), torch.randn(2, 6, 3, generator=g)
    out, weights = torch_blocks.attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4))
    mask = torch.ones(4, 6, dtype=torch.bool)
    mask[:, -2:] = False
    _, masked = torch_blocks.attention(q, k, v, mask)
    assert masked[..., -2:].abs().max() == 0


def test_multihead_self_attention_equals_nn_multiheadattention():
    torch.manual_seed(0)
    mine, ref = torch_blocks.MultiHeadSelfAttention(8, 2), nn.MultiheadAttention(8, 2, batch_first=True)
    wq, wk, wv = ref.in_proj_weight.detach().chunk(3)
    bq, bk, bv = ref.in_proj_bias.detach().chunk(3)
    mine.load_state_dict({"W_q.weight": wq, "W_q.bias": bq, "W_k.weight": wk, "W_k.bias": bk, "W_v.weight": wv,
                          "W_v.bias": bv, "W_o.weight": ref.out_proj.weight.detach(), "W_o.bias": ref.out_proj.bias.detach()})
    x = torch.randn(2, 5, 8)
    torch.testing.assert_close(mine(x)[0], ref(x, x, x)[0])
    with pytest.raises(ValueError, match="整除"):
        torch_blocks.MultiHeadSelfAttention(10, 3)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_block_equals_transformer_encoder_layer(norm_first):
    torch.manual_seed(0)
    official = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    block = torch_blocks.EncoderBlock(8, 2, 16, norm_first=norm_first)
    sd = official.state_dict()
    wq, wk, wv = sd["self_attn.in_proj_weight"].chunk(3)
    bq, bk, bv = sd["self_attn.in_proj_bias"].chunk(3)
    block.load_state_dict({
        "attn.W_q.weight": wq, "attn.W_q.bias": bq, "attn.W_k.weight": wk, "attn.W_k.bias": bk,
        "attn.W_v.weight": wv, "attn.W_v.bias": bv, "attn.W_o.weight": sd["self_attn.out_proj.weight"],
        "attn.W_o.bias": sd["self_attn.out_proj.bias"], "ln1.weight": sd["norm1.weight"], "ln1.bias": sd["norm1.bias"],
        "ln2.weight": sd["norm2.weight"], "ln2.bias": sd["norm2.bias"], "ffn.fc1.weight": sd["linear1.weight"],
        "ffn.fc1.bias": sd["linear1.bias"], "ffn.fc2.weight": sd["linear2.weight"], "ffn.fc2.bias": sd["linear2.bias"]})
    x = torch.randn(2, 5, 8)
    torch.testing.assert_close(block(x), official(x))
    assert block.last_attn.shape == (2, 2, 5, 5)


def test_sinusoidal_positions_rotate():
    pe = torch_blocks.sinusoidal_positions(16, 8)
    assert pe.shape == (16, 8) and torch.equal(pe[0, 0::2], torch.zeros(4)) and torch.equal(pe[0, 1::2], torch.ones(4))


def test_build_mlp():
    net = torch_blocks.build_mlp([4, 8, 8, 3], activation="gelu", dropout=0.5)
    assert [type(m).__name__ for m in net] == ["Linear", "GELU", "Dropout", "Linear", "GELU", "Dropout", "Linear"]
    with pytest.raises(ValueError, match="activation='swish'"):
        torch_blocks.build_mlp([4, 3], activation="swish")


def test_masked_language_model_shapes_and_loss():
    torch.manual_seed(0)
    model = torch_blocks.MaskedLanguageModel(vocab_size=11, d_model=16, n_layers=2, n_heads=2, d_ff=32, max_len=12,
                                             n_outputs=10)
    ids = torch.randint(0, 11, (3, 12))
    assert model(ids).shape == (3, 12, 10) and model.encode(ids).shape == (3, 12, 16)
    labels = torch.full((3, 12), IGNORE_INDEX)
    labels[:, 3] = 7
    model.eval()
    expected = F.cross_entropy(model(ids)[:, 3], labels[:, 3])
    torch.testing.assert_close(model.mlm_loss(ids, labels), expected)


def test_keras_twins_match_the_torch_blocks():
    from lmbook.env import import_tensorflow

    import_tensorflow()
    from lmbook import keras_blocks

    pe_tf = keras_blocks.sinusoidal_positions_tf(16, 8)
    np.testing.assert_allclose(np.asarray(pe_tf), torch_blocks.sinusoidal_positions(16, 8).numpy(), atol=1e-6)
    q, k, v = (np.random.default_rng(i).normal(size=(2, 3, 4)).astype(np.float32) for i in range(3))
    out_tf, _ = keras_blocks.attention_tf(q, k, v)
    out_pt, _ = torch_blocks.attention(*(torch.from_numpy(a) for a in (q, k, v)))
    np.testing.assert_allclose(np.asarray(out_tf), out_pt.numpy(), atol=1e-6)
    assert keras_blocks.build_mlp_tf([784, 128, 10]).count_params() == 101_770
