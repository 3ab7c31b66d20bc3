from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import Settings, get_settings

NEWS = [
    ("c1", "2024-06-20", "英伟达发布 H20 芯片", "英伟达面向中国市场发布 H20 GPU 芯片，算力受限。", "IT之家", "compute"),
    ("c2", "2024-07-08", "英伟达 Blackwell GPU 量产", "英伟达 Blackwell 架构 GPU 进入量产，数据中心需求旺盛。", "新智元", "compute"),
    ("c3", "2024-07-15", "华为昇腾算力集群扩容", "华为昇腾智算中心扩容，国产 GPU 芯片算力持续提升。", "证券时报", "compute"),
    ("c4", "2024-08-02", "英伟达 GPU 出货创新高", "英伟达 GPU 芯片出货创新高，数据中心收入增长。", "IT之家", "compute"),
    ("d1", "2024-07-10", "国家数据局推进数据要素", "国家数据局发布数据要素相关政策，推进公共数据开发利用。", "国家数据局", "data_policy"),
    ("d2", "2024-07-22", "上海数据交易所挂牌数量创新高", "上海数据交易所数据产品挂牌数量创新高，数商生态扩大。", "上海证券报", "data_exchange"),
    ("l1", "2024-07-18", "OpenAI 发布 GPT-4o mini", "OpenAI 发布 GPT-4o mini，价格大幅下降，性能超过 GPT-3.5。", "新智元", "llm_foreign"),
    ("l2", "2024-07-25", "阿里通义千问开源新模型", "阿里通义千问开源新一代大模型，多项评测领先。", "机器之心", "llm_domestic"),
]


def write_corpus(path: Path, rows: list[tuple[str, ...]] = NEWS) -> Path:
    lines = [json.dumps({"id": i, "date": d, "title": t, "body": b, "source": s, "category": c}, ensure_ascii=False)
             for i, d, t, b, s, c in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "news.jsonl")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(store_dir=tmp_path / "store", embedding="hash", chunk_tokens=64)
