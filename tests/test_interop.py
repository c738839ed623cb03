"""lmbook.interop: every supported pair copies both ways (round trip) and gives the same forward pass."""
import numpy as np
import pytest
import torch
from torch import nn

from lmbook.env import import_tensorflow

import_tensorflow()
import keras  # noqa: E402

from lmbook import interop, keras_blocks, torch_blocks  # noqa: E402
from lmbook.interop import copy_weights  # noqa: E402

RNG = np.random.default_rng(0)


def x_np(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def jitter_(module, std=0.1):
    """Biases and LayerNorm parameters start at 0/1: perturb them so a copy that drops one is caught."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(std * torch.randn_like(p))


def torch_out(module, x, **kw):
    module.eval()
    with torch.no_grad():
        return module(torch.from_numpy(x), **kw)


def assert_params_equal(a: nn.Module, b: nn.Module):
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(pa.numpy(), pb.numpy(), err_msg=name)


def test_linear_dense_round_trip():
    torch.manual_seed(0)
    lin, back = nn.Linear(5, 3), nn.Linear(5, 3)
    dense = keras.layers.Dense(3)
    dense.build((None, 5))
    copy_weights(lin, dense)
    x = x_np(4, 5)
    np.testing.assert_allclose(dense(x).numpy(), torch_out(lin, x).numpy(), atol=1e-6)
    copy_weights(dense, back)
    assert_params_equal(lin, back)


def test_sequential_mlp_round_trip_and_length_check():
    torch.manual_seed(0)
    mlp_pt = torch_blocks.build_mlp([8, 16, 4], dropout=0.2)
    mlp_tf = keras_blocks.build_mlp_tf([8, 16, 4], dropout=0.2)
    copy_weights(mlp_pt, mlp_tf)
    x = x_np(3, 8)
    np.testing.assert_allclose(mlp_tf(x, training=False).numpy(), torch_out(mlp_pt, x).numpy(), atol=1e-6)
    back = torch_blocks.build_mlp([8, 16, 4])
    assert_params_equal(mlp_pt, copy_weights(mlp_tf, back))
    with pytest.raises(ValueError, match="2 个带参数的层.*3 个"):
        copy_weights(mlp_pt, keras_blocks.build_mlp_tf([8, 16, 16, 4]))


def test_embedding_round_trip():
    emb, back = nn.Embedding(10, 4), nn.Embedding(10, 4)
    emb_tf = keras.layers.Embedding(10, 4)
    emb_tf.build((None, 3))
    copy_weights(emb, emb_tf)
    ids = np.array([[1, 5, 9]])
    np.testing.assert_allclose(emb_tf(ids).numpy(), emb(torch.from_numpy(ids)).detach().numpy())
    assert_params_equal(emb, copy_weights(emb_tf, back))


@pytest.mark.parametrize("n_layers", [1, 2])
def test_lstm_round_trip(n_layers):
    torch.manual_seed(0)
    lstm = nn.LSTM(6, 8, num_layers=n_layers, batch_first=True)
    layers = [keras.layers.LSTM(8, return_sequences=True) for _ in range(n_layers)]
    model = keras.Sequential([keras.Input((5, 6)), *layers])
    copy_weights(lstm, layers[0] if n_layers == 1 else layers)
    x = x_np(2, 5, 6)
    with torch.no_grad():
        expected = lstm(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(model(x).numpy(), expected, atol=1e-5)
    back = nn.LSTM(6, 8, num_layers=n_layers, batch_first=True)
    copy_weights(layers[0] if n_layers == 1 else layers, back)
    with torch.no_grad():
        np.testing.assert_allclose(back(torch.from_numpy(x))[0].numpy(), expected, atol=1e-5)
    with pytest.raises(ValueError, match="层数|层"):
        copy_weights(nn.LSTM(6, 8, num_layers=3), layers)


def test_layernorm_and_its_epsilon_check():
    ln = nn.LayerNorm(6)
    jitter_(ln)
    ln_tf = keras.layers.LayerNormalization(epsilon=1e-5)
    copy_weights(ln, ln_tf)
    x = x_np(2, 3, 6)
    np.testing.assert_allclose(ln_tf(x).numpy(), torch_out(ln, x).numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="ε 不同.*epsilon=1e-05"):
        copy_weights(ln, keras.layers.LayerNormalization())  # Keras' default ε is 1e-3


def test_official_multihead_attention_round_trip():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    jitter_(mha)
    mha_tf = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    copy_weights(mha, mha_tf)
    x = x_np(2, 5, 8)
    with torch.no_grad():
        expected = mha(*(torch.from_numpy(x),) * 3)[0].numpy()
    np.testing.assert_allclose(mha_tf(x, x).numpy(), expected, atol=1e-5)
    back = nn.MultiheadAttention(8, 2, batch_first=True)
    copy_weights(mha_tf, back)
    assert_params_equal(mha, back)


@pytest.mark.parametrize("norm_first", [False, True])
def test_book_encoder_block_round_trip(norm_first):
    torch.manual_seed(0)
    block = torch_blocks.EncoderBlock(8, 2, 16, activation="gelu", norm_first=norm_first)
    jitter_(block)
    block_tf = keras_blocks.EncoderBlockTF(8, 2, 16, activation="gelu", norm_first=norm_first)
    copy_weights(block, block_tf)
    x = x_np(2, 5, 8)
    keep = np.array([[True] * 5, [True] * 3 + [False] * 2])[:, None, :]
    expected = torch_out(block, x, mask=torch.from_numpy(keep)).numpy()
    np.testing.assert_allclose(block_tf(x, keep).numpy(), expected, atol=1e-5)
    back = torch_blocks.EncoderBlock(8, 2, 16, activation="gelu", norm_first=norm_first)
    assert_params_equal(block, copy_weights(block_tf, back))


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_official_encoder_layer_to_book_block(activation):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation, batch_first=True)
    jitter_(layer)
    block_tf = keras_blocks.EncoderBlockTF(8, 2, 16, activation=activation)
    copy_weights(layer, block_tf)
    x = x_np(2, 5, 8)
    np.testing.assert_allclose(block_tf(x).numpy(), torch_out(layer, x).numpy(), atol=1e-5)
    back = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation, batch_first=True)
    copy_weights(block_tf, back)
    assert_params_equal(layer, back)
    wrong = keras_blocks.EncoderBlockTF(8, 2, 16, activation="relu" if activation == "gelu" else "gelu")
    with pytest.raises(ValueError, match="结构不同"):
        copy_weights(layer, wrong)


def test_unknown_pair_lists_what_is_supported():
    with pytest.raises(TypeError, match="(?s)不知道怎样把 Conv1d 的权重复制到 Dense.*torch.Linear → keras.Dense"):
        copy_weights(nn.Conv1d(1, 1, 1), keras.layers.Dense(1))


def test_notebook_defined_class_with_the_same_name_is_accepted():
    """A class taught in a notebook (module __main__) dispatches like the library class of the same name."""
    attn_cls = type("MultiHeadSelfAttention", (torch_blocks.MultiHeadSelfAttention,), {"__module__": "__main__"})
    attn = attn_cls(8, 2)
    attn_tf = keras_blocks.MultiHeadSelfAttentionTF(8, 2)
    copy_weights(attn, attn_tf)
    x = x_np(1, 3, 8)
    np.testing.assert_allclose(attn_tf(x)[0].numpy(), torch_out(attn, x)[0].numpy(), atol=1e-5)
    assert interop.to_numpy(attn.W_q.weight).T.shape == attn_tf.W_q.get_weights()[0].shape


# ---- chapter 5: the char-level MLM and its classifier, Hugging Face BERT ↔ BertEncoderTF -------------------------
def _tiny_mlm(seed):
    torch.manual_seed(seed)
    model = torch_blocks.MaskedLanguageModel(30, 16, 2, 2, 32, 12, dropout=0.0, n_outputs=25)
    jitter_(model)
    return model.eval()


def test_masked_language_model_and_classifier_round_trip():
    model = _tiny_mlm(0)
    model_tf = keras_blocks.MaskedLanguageModelTF(30, 16, 2, 2, 32, 12, dropout=0.0, n_outputs=25)
    copy_weights(model, model_tf)
    ids = torch.randint(0, 30, (3, 10), generator=torch.Generator().manual_seed(1))
    pad = torch.zeros(3, 10, dtype=torch.bool)
    pad[1, 6:] = True
    with torch.no_grad():
        expected = model.head(model.encode(ids, pad)).numpy()
    got = model_tf(ids.numpy(), pad.numpy()).numpy()
    np.testing.assert_allclose(got[~pad.numpy()], expected[~pad.numpy()], atol=1e-5)
    assert_params_equal(model, copy_weights(model_tf, _tiny_mlm(2)))

    clf = torch_blocks.EncoderClassifier(model, 3, pad_id=0).eval()
    jitter_(clf.head)
    clf_tf = keras_blocks.EncoderClassifierTF(keras_blocks.MaskedLanguageModelTF(30, 16, 2, 2, 32, 12, n_outputs=25),
                                              3, pad_id=0)
    copy_weights(clf, clf_tf)
    ids[1, 6:] = 0
    with torch.no_grad():
        np.testing.assert_allclose(clf_tf(ids.numpy()).numpy(), clf(ids).numpy(), atol=1e-5)
    back = torch_blocks.EncoderClassifier(_tiny_mlm(3), 3, pad_id=0)
    assert_params_equal(clf, copy_weights(clf_tf, back))
    with pytest.raises(ValueError, match="pad_id 不同"):
        copy_weights(clf, keras_blocks.EncoderClassifierTF(keras_blocks.MaskedLanguageModelTF(30, 16, 2, 2, 32, 12,
                                                                                              n_outputs=25), 3, pad_id=1))


def test_encoder_classifier_tf_builds_every_weight_without_a_keras_warning():
    """EncoderClassifierTF.build() builds the encoder and the head with the right shapes; Keras's 'does not have a
    build() method' UserWarning (it sat in 5.2's stored outputs) must not come back."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        clf_tf = keras_blocks.EncoderClassifierTF(keras_blocks.MaskedLanguageModelTF(30, 16, 2, 2, 32, 12, n_outputs=25),
                                                  3, pad_id=0)
        clf_tf.build((None, 7))
        assert clf_tf.built and clf_tf.encoder.built and clf_tf.head.built
        assert tuple(clf_tf.head.kernel.shape) == (16, 3)
        n_built = clf_tf.count_params()
        logits = clf_tf(np.ones((2, 7), dtype="int32"))      # the first call creates no new weights
        called = keras_blocks.EncoderClassifierTF(keras_blocks.MaskedLanguageModelTF(30, 16, 2, 2, 32, 12,
                                                                                     n_outputs=25), 3, pad_id=0)
        called(np.ones((2, 7), dtype="int32"))               # built implicitly by the first call: same weights
    assert tuple(logits.shape) == (2, 3) and clf_tf.count_params() == n_built == called.count_params()
    assert n_built == torch_blocks.EncoderClassifier(_tiny_mlm(0), 3, pad_id=0).head.weight.numel() + 3 + \
        sum(int(np.prod(w.shape)) for w in clf_tf.encoder.weights)


def _tiny_bert(seed, **overrides):
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=20, **overrides)
    model = BertModel(config).eval()
    jitter_(model)
    return model


def test_hugging_face_bert_round_trip_and_parity_with_padding():
    bert = _tiny_bert(0)
    encoder_tf = keras_blocks.build_bert_encoder_tf(bert.config)
    copy_weights(bert, encoder_tf)
    ids = torch.randint(1, 50, (2, 7), generator=torch.Generator().manual_seed(1))
    mask = torch.ones(2, 7, dtype=torch.long)
    mask[0, 5:] = 0
    types = torch.tensor([[0] * 4 + [1] * 3, [0] * 7])
    with torch.no_grad():
        expected = bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state.numpy()
    got = encoder_tf(ids.numpy(), mask.numpy(), types.numpy()).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)   # padded positions too: both compute them the same way
    back = _tiny_bert(1)
    copy_weights(encoder_tf, back)
    for (name, a), b in zip(bert.state_dict().items(), back.state_dict().values()):
        if not name.startswith("pooler"):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_bert_layer_copy_refuses_a_different_structure():
    bert = _tiny_bert(0)
    layer = bert.encoder.layer[0]
    with pytest.raises(ValueError, match="LayerNorm 的 ε 不同"):
        copy_weights(layer, keras_blocks.EncoderBlockTF(16, 2, 32, activation="gelu"))          # ε 1e-5 ≠ 1e-12
    with pytest.raises(ValueError, match="结构不同"):
        copy_weights(layer, keras_blocks.EncoderBlockTF(16, 4, 32, activation="gelu", eps=1e-12))  # 头数不同
    with pytest.raises(ValueError, match="只支持精确 GELU"):
        keras_blocks.build_bert_encoder_tf(_tiny_bert(0, hidden_act="gelu_new").config)
