from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.corpus import read_corpus
from assistant.errors import CorpusError

BASE = {"date": "2024-07-05", "title": "英伟达发布新一代 GPU", "body": "英伟达发布新一代 GPU 芯片，算力显著提升。",
        "source": "IT之家"}


def write_jsonl(path: Path, rows: list[dict[str, object] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_reads_fields_and_keeps_ids(tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "c.jsonl", [{**BASE, "id": "n1", "url": "https://x/1", "category": "compute"}])
    [item] = read_corpus(f).items
    assert (item.doc_id, item.date.isoformat(), item.url, item.category, item.category_method) == (
        "n1", "2024-07-05", "https://x/1", "compute", "given")


def test_missing_id_is_derived_from_content_and_stable(tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "c.jsonl", [BASE])
    first, second = read_corpus(f).items[0], read_corpus(f).items[0]
    assert first.doc_id == second.doc_id and first.doc_id.startswith("h")
    g = write_jsonl(tmp_path / "d.jsonl", [{**BASE, "body": BASE["body"] + "另有补充。"}])
    assert read_corpus(g).items[0].doc_id != first.doc_id


@pytest.mark.parametrize(("row", "field", "words"), [
    ('{"date": "2024-07-05", "title": "x"', None, "JSON"),
    ({k: v for k, v in BASE.items() if k != "source"}, "source", "缺失"),
    ({**BASE, "date": "2024-13-40"}, "date", "无效"),
    ({**BASE, "date": "7月5日"}, "date", "YYYY-MM-DD"),
    ({**BASE, "body": "   "}, "body", "为空"),
    ({**BASE, "category": "sports"}, "category", "sports"),
])
def test_bad_line_names_file_line_and_field(tmp_path: Path, row: dict[str, object] | str, field: str | None,
                                            words: str) -> None:
    f = write_jsonl(tmp_path / "c.jsonl", [BASE, row])
    with pytest.raises(CorpusError) as err:
        read_corpus(f)
    assert (err.value.file, err.value.row, err.value.field) == (str(f), 2, field)
    assert words in str(err.value) and "c.jsonl" in str(err.value) and "第 2 行" in str(err.value)


def test_huge_body_is_refused(tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "c.jsonl", [{**BASE, "body": "数" * (5 * 1024 * 1024 // 3)}])
    with pytest.raises(CorpusError, match="超过上限") as err:
        read_corpus(f)
    assert err.value.field == "body"


def test_duplicate_id_with_other_content_is_an_error_but_repeats_are_not(tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "c.jsonl", [{**BASE, "id": "a"}, {**BASE, "id": "a"}])
    assert len(read_corpus(f).items) == 1
    g = write_jsonl(tmp_path / "d.jsonl", [{**BASE, "id": "a"}, {**BASE, "id": "a", "title": "另一条"}])
    with pytest.raises(CorpusError, match="重复") as err:
        read_corpus(g)
    assert (err.value.row, err.value.field) == (2, "id")


def test_skip_bad_skips_exactly_the_bad_lines(tmp_path: Path) -> None:
    rows: list[dict[str, object] | str] = [
        {**BASE, "id": "ok1"}, "{not json", {**BASE, "id": "ok2", "date": "bad"},
        {**BASE, "id": "ok3", "title": "第三条", "body": "完全不同的内容，关于数据交易所。"}, {**BASE, "id": "nobody", "body": ""},
    ]
    result = read_corpus(write_jsonl(tmp_path / "c.jsonl", rows), skip_bad=True)
    assert [i.doc_id for i in result.items] == ["ok1", "ok3"]
    assert [(s.row, s.field) for s in result.skipped] == [(2, None), (3, "date"), (5, "body")]


def test_csv_in_gbk_and_utf8_bom(tmp_path: Path) -> None:
    text = "id,date,title,body,source\nc1,2024-07-09,数据要素政策,\"国家数据局发布政策。\n第二段。\",国家数据局\n"
    for name, encoding in (("gbk.csv", "gbk"), ("bom.csv", "utf-8-sig")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        [item] = read_corpus(path).items
        assert (item.doc_id, item.title, item.source) == ("c1", "数据要素政策", "国家数据局")
        assert item.body == "国家数据局发布政策。\n第二段。"


def test_csv_error_names_record_start_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("date,title,body,source\n2024-07-01,a,\"多行\n正文\",s\n2024-07-02,b,,s\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_corpus(path)
    assert (err.value.row, err.value.field) == (4, "body")


def test_folder_of_markdown_and_html_with_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nid: m1\ndate: 2024-07-03\ntitle: 智谱发布新模型\nsource: 新智元\n---\n"
                                   "智谱发布 GLM 新版本。\n", encoding="utf-8")
    (tmp_path / "b.html").write_text("---\ndate: 2024-07-04\ntitle: 芯片新闻\nsource: IT之家\n---\n"
                                     "<p>英伟达 &amp; AMD 发布芯片。</p><script>alert(1)</script><p>第二段</p>",
                                     encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    items = {i.title: i for i in read_corpus(tmp_path).items}
    assert items["智谱发布新模型"].doc_id == "m1"
    assert items["芯片新闻"].body == "英伟达 & AMD 发布芯片。\n第二段"
    (tmp_path / "c.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(CorpusError, match="front-matter") as err:
        read_corpus(tmp_path)
    assert err.value.file is not None and err.value.file.endswith("c.md")
