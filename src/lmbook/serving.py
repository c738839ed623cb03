"""把模型放到 HTTP API 后面提供服务。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.serving` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch05_innovation/04_serving.ipynb ·「保存：safetensors」
import json
from pathlib import Path
from typing import Any, Sequence

import torch
from safetensors.torch import load_file, save_file

from lmbook.text import CharVocab, encode_texts
from lmbook.torch_blocks import EncoderClassifier, MaskedLanguageModel


class TextClassifierPredictor:
    """可以放到 API 后面的预测函数：一批文本 → 每条一个 {"label", "score", "probabilities"}。

    编码与训练时完全相同（lmbook.text.encode_texts：[CLS] + 最多 seq_len-1 个字 + 填充），评估模式、不记梯度。
    """

    def __init__(self, model: EncoderClassifier, vocab: CharVocab, labels: Sequence[str], seq_len: int) -> None:
        self.model, self.vocab, self.labels, self.seq_len = model.eval(), vocab, list(labels), seq_len

    def logits(self, texts: Sequence[str]) -> torch.Tensor:
        """(条数, 类别数) 的 logits。"""
        with torch.inference_mode():
            return self.model(encode_texts(self.vocab, texts, self.seq_len))

    def __call__(self, texts: list[str]) -> list[dict[str, Any]]:
        probs = torch.softmax(self.logits(texts).float(), dim=-1)
        out = []
        for row in probs.tolist():
            best = max(range(len(row)), key=row.__getitem__)
            out.append({"label": self.labels[best], "score": row[best],
                        "probabilities": dict(zip(self.labels, row))})
        return out


def save_text_classifier(directory: str | Path, model: EncoderClassifier, vocab: CharVocab, *,
                         labels: Sequence[str], seq_len: int, encoder_config: dict[str, Any],
                         metadata: dict[str, Any] | None = None) -> Path:
    """保存一个微调好的文本分类器：权重存成 model.safetensors（只有张量，没有可执行代码），
    字符表、标签、序列长度与编码器的构造参数存进 config.json。返回目录。"""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    config = {"encoder": dict(encoder_config), "n_classes": len(labels), "labels": list(labels), "seq_len": seq_len,
              "pad_id": model.pad_id, "chars": vocab.chars, "specials": vocab.specials, "metadata": metadata or {}}
    (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def load_text_classifier(directory: str | Path) -> TextClassifierPredictor:
    """save_text_classifier 的逆操作：按 config.json 重建模型，读入 safetensors 权重，返回预测函数。"""
    folder = Path(directory)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    vocab = CharVocab("".join(config["chars"]), specials=config["specials"])
    if vocab.chars != config["chars"]:
        raise ValueError("config.json 里的字符表不是按码位排好序的单字列表，无法重建同样的编号。")
    model = EncoderClassifier(MaskedLanguageModel(**config["encoder"]), config["n_classes"], pad_id=config["pad_id"])
    model.load_state_dict(load_file(str(folder / "model.safetensors")))
    return TextClassifierPredictor(model, vocab, config["labels"], config["seq_len"])


def serve_text_classifier(directory: str | Path, *, port: int, host: str = "127.0.0.1",
                          log_path: str | Path | None = None, max_chars: int = 500, max_batch: int = 32,
                          title: str = "文本分类 API") -> None:
    """读入 save_text_classifier 保存的模型，用 uvicorn 在 host:port 上提供 create_app 的 API（阻塞，直到进程被终止）。

    服务器脚本只需要一行：serve_text_classifier(模型目录, port=端口)。版本号取 config.json 的 metadata["version"]。
    """
    import uvicorn

    predictor = load_text_classifier(directory)
    meta = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8")).get("metadata", {})
    app = create_app(predictor, title=title, version=str(meta.get("version", "0.1.0")), max_chars=max_chars,
                     max_batch=max_batch, log_path=log_path, feedback_labels=predictor.labels,
                     description=f"标签：{', '.join(predictor.labels)}；每条最多 {max_chars} 个字符，每批最多 {max_batch} 条。")
    uvicorn.run(app, host=host, port=port, log_level="warning")


# ── 出自 notebooks/ch05_innovation/04_serving.ipynb ·「服务：FastAPI 应用」
import json
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, create_model, field_validator

PredictFn = Callable[[list[str]], list[dict[str, Any]]]

#: pydantic 的错误类型 → 给调用方看的中文原因
_REASONS = {
    "missing": "缺少这个字段",
    "string_type": "应为字符串",
    "list_type": "应为字符串列表",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "extra_forbidden": "不认识的字段",
}


class Classification(BaseModel):
    """一条文本的分类结果（create_app 默认的输出格式）。"""

    label: str = Field(description="概率最大的类别")
    score: float = Field(description="该类别的概率，0～1")
    probabilities: dict[str, float] = Field(description="每个类别的概率")


def check_text(text: str, max_chars: int) -> str:
    """一条输入文本的规则：去掉首尾空白后不能为空，长度不超过 max_chars 个字符；返回去掉空白后的文本。"""
    stripped = text.strip()
    if not stripped:
        raise ValueError("文本为空（去掉首尾空白后没有内容）")
    if len(stripped) > max_chars:
        raise ValueError(f"文本太长：{len(stripped)} 个字符，上限 {max_chars}")
    return stripped


def _reason(error: dict[str, Any]) -> str:
    """一条 pydantic 错误 → “字段: 原因”。"""
    kind = error.get("type", "")
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "请求体"
    if kind == "json_invalid":
        return f"请求体: 不是合法的 JSON（第 {where} 个字符附近）"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", error.get("msg", "")))
    elif kind == "too_long":
        text = f"最多 {error['ctx']['max_length']} 条，收到 {error['ctx'].get('actual_length', '更多')} 条"
    elif kind == "too_short":
        text = f"至少 {error['ctx']['min_length']} 条"
    else:
        text = _REASONS.get(kind, error.get("msg", kind))
    return f"{where}: {text}"


def create_app(predict: PredictFn, *, title: str, version: str = "0.1.0", output_model: type[BaseModel] = Classification,
               max_chars: int = 500, max_batch: int = 32, log_path: str | Path | None = None,
               feedback_labels: Sequence[str] | None = None, description: str = "") -> FastAPI:
    """把一个预测函数放到 HTTP API 后面：FastAPI 应用，带输入校验、预测日志与用户反馈。

    predict(texts) 对一批文本返回同样多个 dict（字段由 output_model 描述；默认是分类结果）。端点：
    GET /health；POST /predict {"text": …}；POST /predict_batch {"texts": [...]}（1～max_batch 条）；
    POST /feedback {"request_id": …, "label": …}；/docs 是自动生成的 OpenAPI 页面。
    不合法的输入（空文本、超长、类型不对、批次大小不对、JSON 错误、多余字段）一律返回 422 和逐条原因，
    不会进入 predict。log_path 给出时，每次预测与每条反馈各追加一行 JSON（持续改进的原料）。
    """

    class PredictRequest(BaseModel):
        """单条预测的请求体。"""

        model_config = ConfigDict(extra="forbid")
        text: StrictStr = Field(description=f"要预测的文本，1～{max_chars} 个字符", examples=["房间干净，服务周到。"])

        @field_validator("text")
        @classmethod
        def _text_ok(cls, value: str) -> str:
            return check_text(value, max_chars)

    class BatchRequest(BaseModel):
        """批量预测的请求体。"""

        model_config = ConfigDict(extra="forbid")
        texts: list[StrictStr] = Field(min_length=1, max_length=max_batch, description=f"1～{max_batch} 条文本")

        @field_validator("texts")
        @classmethod
        def _texts_ok(cls, values: list[str]) -> list[str]:
            out = []
            for i, value in enumerate(values):
                try:
                    out.append(check_text(value, max_chars))
                except ValueError as err:
                    raise ValueError(f"第 {i} 条{err}") from None
            return out

    class FeedbackRequest(BaseModel):
        """用户对某次预测的反馈：正确答案是什么。"""

        model_config = ConfigDict(extra="forbid")
        request_id: StrictStr = Field(description="/predict 返回的 request_id")
        label: StrictStr = Field(description="用户认为正确的答案")

        @field_validator("label")
        @classmethod
        def _label_ok(cls, value: str) -> str:
            if feedback_labels is not None and value not in feedback_labels:
                raise ValueError(f"label 只能是 {list(feedback_labels)} 之一")
            return value

    PredictResponse = create_model("PredictResponse", request_id=(str, ...), model_version=(str, ...),
                                   result=(output_model, ...))
    BatchItem = create_model("BatchItem", request_id=(str, ...), result=(output_model, ...))
    BatchResponse = create_model("BatchResponse", model_version=(str, ...), items=(list[BatchItem], ...))

    app = FastAPI(title=title, version=version, description=description)
    app.state.started = time.time()
    app.state.n_predictions = 0
    recent: OrderedDict[str, str] = OrderedDict()  # 最近的 request_id → 文本（反馈要对得上号）
    lock = threading.Lock()
    log_file = Path(log_path) if log_path is not None else None

    def write_log(row: dict[str, Any]) -> None:
        if log_file is not None:
            with lock, open(log_file, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def run(texts: list[str]) -> list[tuple[str, Any]]:
        start = time.perf_counter()
        results = [output_model.model_validate(r) for r in predict(texts)]
        if len(results) != len(texts):
            raise RuntimeError(f"predict 对 {len(texts)} 条文本返回了 {len(results)} 个结果。")
        ms = (time.perf_counter() - start) * 1e3 / len(texts)
        out = []
        for text, result in zip(texts, results):
            rid = uuid.uuid4().hex
            with lock:
                recent[rid] = text
                while len(recent) > 10_000:
                    recent.popitem(last=False)
                app.state.n_predictions += 1
            write_log({"kind": "prediction", "request_id": rid, "time": time.time(), "text": text,
                       "result": result.model_dump(), "ms_per_text": ms, "model_version": version})
            out.append((rid, result))
        return out

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": "请求不合法", "reasons": [_reason(e) for e in exc.errors()]})

    def health() -> dict[str, Any]:
        """服务是否在线、哪个版本、已经回答了多少次预测。"""
        return {"status": "ok", "model": title, "version": version,
                "uptime_s": round(time.time() - app.state.started, 3), "n_predictions": app.state.n_predictions}

    def predict_one(body: PredictRequest) -> dict[str, Any]:
        """预测一条文本。"""
        (rid, result), = run([body.text])
        return {"request_id": rid, "model_version": version, "result": result}

    def predict_batch(body: BatchRequest) -> dict[str, Any]:
        """一次预测多条文本（比逐条调用省去每次请求的开销）。"""
        return {"model_version": version, "items": [{"request_id": rid, "result": r} for rid, r in run(body.texts)]}

    def feedback(body: FeedbackRequest) -> JSONResponse:
        """记录用户给出的正确答案；request_id 必须来自最近的预测。"""
        with lock:
            text = recent.get(body.request_id)
        if text is None:
            return JSONResponse(status_code=404, content={"error": "找不到这个 request_id",
                                                          "reasons": [f"request_id: {body.request_id} 不是最近的预测"]})
        write_log({"kind": "feedback", "request_id": body.request_id, "time": time.time(), "text": text,
                   "label": body.label})
        return JSONResponse({"status": "recorded", "request_id": body.request_id})

    # 生成的模块带 `from __future__ import annotations`：把注解换成真正的类，FastAPI 才认得出局部定义的请求体
    predict_one.__annotations__ = {"body": PredictRequest, "return": PredictResponse}
    predict_batch.__annotations__ = {"body": BatchRequest, "return": BatchResponse}
    feedback.__annotations__ = {"body": FeedbackRequest, "return": JSONResponse}
    health.__annotations__ = {"return": dict}
    app.get("/health")(health)
    app.post("/predict", response_model=PredictResponse)(predict_one)
    app.post("/predict_batch", response_model=BatchResponse)(predict_batch)
    app.post("/feedback", responses={404: {"description": "request_id 不是最近的预测"}})(feedback)
    return app
