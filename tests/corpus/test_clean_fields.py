"""Plain text in every field at ingestion, and bounded, refused-not-crashed hostile input (issues 14 and 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from raw_inputs import maker

from assistant.corpus import read_corpus
from assistant.corpus.clean import clean_body, clean_line, clean_url
from assistant.errors import CorpusError

BASE = {"date": "2024-07-05", "title": "英伟达发布新一代 GPU", "body": "英伟达发布新一代 GPU 芯片，算力显著提升。",
        "source": "IT之家"}
MARKUP = ("<", ">", "onerror", "alert(", "script", "&lt;", "&amp;", "javascript:")


def _jsonl(path: Path, rows: list[dict[str, object] | str]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def test_markup_is_stripped_from_every_field(tmp_path: Path) -> None:
    row = {"id": "<b>n1</b>", "date": "2024-07-05", "title": "<img src=x onerror=alert(1)>AI 眼镜新品发布",
           "body": "<p>多家厂商发布 AI 眼镜 &amp; 配件。</p><script>alert(1)</script><p>支持实时翻译。</p>"
                   "&lt;script&gt;alert(2)&lt;/script&gt;",
           "source": "<a href='javascript:alert(3)'>IT之家</a>", "url": "javascript:alert(4)",
           "category": "<i>product</i>"}
    result = read_corpus(_jsonl(tmp_path / "c.jsonl", [row]))
    [item] = result.items
    assert (item.doc_id, item.title, item.source, item.url, item.category) == (
        "n1", "AI 眼镜新品发布", "IT之家", None, "product")
    assert item.body == "多家厂商发布 AI 眼镜 & 配件。\n支持实时翻译。"
    for value in (item.doc_id, item.title, item.body, item.source):
        assert not [m for m in MARKUP if m in value], value
    warnings = result.files[0].items[0].warnings
    assert any(w.startswith("url: 已丢弃非 http(s) 链接") for w in warnings)
    assert any(w.startswith("title: 已去除标记") for w in warnings)
    assert "url" not in result.files[0].items[0].fields


@pytest.mark.parametrize(("url", "kept"), [
    ("https://www.ithome.com/0/781/123.htm", True), ("http://news.cn/a?id=1&amp;b=2", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("data:text/html,<script>", False),
    ("ftp://x.example/a", False), ("/relative/path", False), ("vbscript:msgbox", False), ("https://", False),
])
def test_only_absolute_http_urls_are_kept(url: str, kept: bool) -> None:
    warnings: list[str] = []
    assert (clean_url(url, warnings) is not None) is kept
    assert bool(warnings) is not kept


def test_plain_text_with_angle_brackets_is_left_alone() -> None:
    warnings: list[str] = []
    assert clean_line("营收<10亿，利润 > 预期 & 增长", "title", warnings) == "营收<10亿，利润 > 预期 & 增长"
    assert warnings == []
    assert clean_body("第一段  有多余   空格。\n\n\n\n第二段。\t结尾", warnings) == "第一段 有多余 空格。\n\n第二段。 结尾"


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    row = {**BASE, "title": "英伟达\x00发布\x0b新品", "body": "第一行\x07。\n第二行\t有制表符。\x1b[31m"}
    result = read_corpus(_jsonl(tmp_path / "c.jsonl", [row]))
    [item] = result.items
    assert item.title == "英伟达发布新品" and item.body == "第一行。\n第二行 有制表符。[31m"
    warnings = result.files[0].items[0].warnings
    assert "title: 已移除 2 个控制字符" in warnings and "body: 已移除 2 个控制字符" in warnings


def test_lone_surrogate_is_refused_with_file_and_line_also_under_skip_bad(tmp_path: Path) -> None:
    bad = '{"date": "2024-07-05", "title": "bad \\ud800 title", "body": "正文。", "source": "s"}'
    path = _jsonl(tmp_path / "c.jsonl", [BASE, bad])
    with pytest.raises(CorpusError, match="代理字符") as err:
        read_corpus(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, "title")
    result = read_corpus(path, skip_bad=True)
    assert len(result.items) == 1 and [(s.row, s.field) for s in result.skipped] == [(2, "title")]


def test_deeply_nested_json_line_is_refused_with_file_and_line_also_under_skip_bad(tmp_path: Path) -> None:
    deep = '{"date": "2024-07-05", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = _jsonl(tmp_path / "c.jsonl", [deep, BASE])
    with pytest.raises(CorpusError, match="嵌套过深") as err:
        read_corpus(path)
    assert (err.value.file, err.value.row) == (str(path), 1)
    result = read_corpus(path, skip_bad=True)
    assert len(result.items) == 1 and [s.row for s in result.skipped] == [1]


BOMB = "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
) + "date: 2024-07-05\ntitle: t\nsource: s\n---\n正文。\n"


def test_yaml_alias_bomb_in_front_matter_is_refused(tmp_path: Path) -> None:
    assert len(BOMB.encode()) < 1200  # the 1 KB bomb that expands to 9^9 strings
    (tmp_path / "bomb.md").write_text(BOMB, encoding="utf-8")
    (tmp_path / "ok.md").write_text("---\ndate: 2024-07-05\ntitle: 正常条目\nsource: s\n---\n正文。\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"别名|锚点") as err:
        read_corpus(tmp_path)
    assert err.value.file == str(tmp_path / "bomb.md")
    result = read_corpus(tmp_path, skip_bad=True)
    assert [i.title for i in result.items] == ["正常条目"] and len(result.skipped) == 1


def test_yaml_alias_in_a_sidecar_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(maker().page_html(title="标题", site="站点", paragraphs=["正文内容。"] * 3), encoding="utf-8")
    (tmp_path / "p.html.yaml").write_text("date: &d 2024-07-05\nsource: *d\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="sidecar") as err:
        read_corpus(tmp_path)
    assert err.value.file == str(tmp_path / "p.html.yaml")


@pytest.mark.parametrize(("field", "value"), [("title", "长" * 100_000), ("source", "源" * 1000),
                                              ("url", "https://a.example/" + "x" * 5000)])
def test_overlong_fields_are_refused_naming_the_field(tmp_path: Path, field: str, value: str) -> None:
    path = _jsonl(tmp_path / "c.jsonl", [{**BASE, field: value}])
    with pytest.raises(CorpusError, match="超过上限") as err:
        read_corpus(path)
    assert (err.value.row, err.value.field) == (1, field)
