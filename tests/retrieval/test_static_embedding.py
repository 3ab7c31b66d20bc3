"""The default embedding (``use-static``): USE distilled to per-piece vectors, cached per machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import StoreError
from assistant.settings import get_settings
from assistant.store import ingest, open_store
from assistant.store.embeddings import spec_for_key
from assistant.store.static import StaticUse


@pytest.mark.slow
def test_piece_vectors_are_computed_once_and_reused_by_a_new_process(tmp_path: Path) -> None:
    texts = ["英伟达发布新一代 GPU 芯片", "NVIDIA launches a new GPU", "今天天气晴朗", ""]
    first = StaticUse(tmp_path)
    vecs = first.encode(texts)
    known = first.table.known
    assert vecs.shape == (4, 512) and known > 10
    np.testing.assert_allclose(np.linalg.norm(vecs[:3], axis=1), 1.0, atol=1e-5)
    assert not vecs[3].any()  # an empty text is the zero vector, not NaN
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]  # cross-lingual: the same story beats an unrelated one

    again = StaticUse(tmp_path)  # as a new process would: tokenizer and pieces from the cache files
    assert again.table.known == known
    np.testing.assert_allclose(again.encode(texts), vecs, atol=1e-6)
    assert again.table.known == known  # nothing recomputed
    batch_of_one = np.stack([again.encode([t])[0] for t in texts])
    np.testing.assert_allclose(batch_of_one, vecs, atol=1e-5)  # a text's vector does not depend on its batch


@pytest.mark.slow
def test_a_damaged_tokenizer_cache_is_rebuilt(tmp_path: Path) -> None:
    StaticUse(tmp_path)
    for path in tmp_path.glob("*.tokenizer.json"):
        path.write_text("{not json", encoding="utf-8")
    assert StaticUse(tmp_path).encode(["数据要素"]).shape == (1, 512)


def test_a_store_keeps_the_embedding_it_was_built_with(tmp_path: Path, corpus: Path) -> None:
    built = get_settings(store_dir=tmp_path / "store", embedding="hash:64")
    ingest(corpus, built)
    default = open_store(get_settings(store_dir=tmp_path / "store"))  # default embedding not asked for
    assert default.embedder.key == "hash64" and default.settings.embedding == "hash:64"
    with pytest.raises(StoreError, match="hash64"):
        open_store(get_settings(store_dir=tmp_path / "store", embedding="hash"))


def test_every_embedding_key_maps_back_to_its_setting() -> None:
    assert spec_for_key("use") == "use" and spec_for_key("use-static-v1") == "use-static"
    assert spec_for_key("hash256") == "hash:256" and spec_for_key("openai:text-embedding-3-small") == "openai"
    assert spec_for_key("st:/models/bge") == "st:/models/bge" and spec_for_key("word2vec") is None
