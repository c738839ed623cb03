"""lmbook.serving against a real server: a tiny classifier saved to a temporary folder, served by uvicorn in its own
process (lmbook.launch.serve), called over HTTP with httpx. Bad input must be a 4xx with a reason, never a 500;
the server is always stopped by the fixture that started it, even when a test fails."""
import json

import httpx
import pytest
import torch

from lmbook import launch
from lmbook.serving import create_app, load_text_classifier, save_text_classifier
from lmbook.text import CharVocab
from lmbook.torch_blocks import EncoderClassifier, MaskedLanguageModel
from lmbook.text import CHAR_SPECIALS

LABELS = ["负面", "正面"]
MAX_CHARS, MAX_BATCH = 50, 4
SERVER = """
import os, sys
from lmbook.serving import serve_text_classifier
serve_text_classifier(sys.argv[1], port=int(os.environ["LMBOOK_PORT"]), log_path=sys.argv[2],
                      max_chars={max_chars}, max_batch={max_batch})
""".format(max_chars=MAX_CHARS, max_batch=MAX_BATCH)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    torch.manual_seed(0)
    vocab = CharVocab("房间干净服务很好差失望不错", specials=CHAR_SPECIALS)
    cfg = dict(vocab_size=len(vocab), d_model=16, n_layers=1, n_heads=2, d_ff=32, max_len=24, n_outputs=vocab.n_chars)
    model = EncoderClassifier(MaskedLanguageModel(**cfg), 2, pad_id=vocab.id("[PAD]"))
    return save_text_classifier(tmp_path_factory.mktemp("model"), model, vocab, labels=LABELS, seq_len=24,
                                encoder_config=cfg, metadata={"version": "test-1"})


@pytest.fixture(scope="module")
def server(model_dir, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("logs") / "predictions.jsonl"
    srv = launch.serve(SERVER, args=[str(model_dir), str(log_path)], timeout_s=120)
    try:
        srv.log_path_predictions = log_path
        yield srv
    finally:
        srv.stop()
        assert not srv.running(), "the server must be stopped by the fixture that started it"


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_health_and_openapi(client):
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["version"] == "test-1"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/predict", "/predict_batch", "/feedback"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_predictions_match_the_model_in_process(client, model_dir):
    direct = load_text_classifier(model_dir)(["房间干净", "服务很差"])
    single = client.post("/predict", json={"text": "房间干净"})
    batch = client.post("/predict_batch", json={"texts": ["房间干净", "服务很差"]})
    assert single.status_code == 200 and batch.status_code == 200
    assert single.json()["result"]["label"] in LABELS
    got = [item["result"] for item in batch.json()["items"]]
    for g, d in zip(got, direct):
        assert g["label"] == d["label"] and g["score"] == pytest.approx(d["score"], abs=1e-6)
    assert single.json()["result"]["score"] == pytest.approx(direct[0]["score"], abs=1e-6)


@pytest.mark.parametrize("path, body, reason", [
    ("/predict", {"text": ""}, "文本为空"),
    ("/predict", {"text": "   "}, "文本为空"),
    ("/predict", {"text": "好" * (MAX_CHARS + 1)}, f"上限 {MAX_CHARS}"),
    ("/predict", {"text": 123}, "应为字符串"),
    ("/predict", {"text": None}, "应为字符串"),
    ("/predict", {}, "缺少这个字段"),
    ("/predict", ["房间干净"], "JSON 对象"),
    ("/predict", {"text": "好", "extra": 1}, "不认识的字段"),
    ("/predict_batch", {"texts": []}, "至少 1 条"),
    ("/predict_batch", {"texts": ["好"] * (MAX_BATCH + 1)}, f"最多 {MAX_BATCH} 条"),
    ("/predict_batch", {"texts": "房间干净"}, "应为字符串列表"),
    ("/predict_batch", {"texts": ["好", ""]}, "第 1 条文本为空"),
    ("/predict_batch", {"texts": ["好", 7]}, "应为字符串"),
    ("/feedback", {"request_id": "x", "label": "中性"}, "label 只能是"),
])
def test_bad_input_is_a_4xx_with_a_reason(client, path, body, reason):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert any(reason in r for r in response.json()["reasons"]), response.json()


def test_malformed_json_and_unknown_request_id(client):
    response = client.post("/predict", content=b'{"text": ', headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json()["reasons"][0]
    response = client.post("/feedback", json={"request_id": "no-such-id", "label": "正面"})
    assert response.status_code == 404 and response.json()["reasons"]


def test_feedback_and_predictions_are_logged(client, server):
    rid = client.post("/predict", json={"text": "服务不错"}).json()["request_id"]
    assert client.post("/feedback", json={"request_id": rid, "label": "正面"}).json()["status"] == "recorded"
    rows = [json.loads(line) for line in server.log_path_predictions.read_text(encoding="utf-8").splitlines()]
    assert {"kind": "feedback", "request_id": rid, "label": "正面", "text": "服务不错"}.items() <= rows[-1].items()
    assert any(r["kind"] == "prediction" and r["request_id"] == rid for r in rows)


def test_app_never_answers_500_for_bad_input_in_process():
    """The same checks without a server (fast): whatever the body, the answer is 200 or a 4xx."""
    from fastapi.testclient import TestClient

    app = create_app(lambda texts: [{"label": "正面", "score": 1.0, "probabilities": {"正面": 1.0}} for _ in texts],
                     title="t", max_chars=5, max_batch=2)
    client = TestClient(app)
    bodies = [b"", b"null", b"[]", b"{}", b'{"text": {}}', b'{"text": [1]}', b'{"texts": [[]]}', b"\xff\xfe", b"1e999"]
    for path in ("/predict", "/predict_batch", "/feedback"):
        for body in bodies:
            status = client.post(path, content=body, headers={"content-type": "application/json"}).status_code
            assert 400 <= status < 500, (path, body, status)
