"""Hostile files and uploads cannot hurt the host (issue 22, item 8): limits before reading, linear .docx reading,
no entity expansion, no symlink escape, every zip problem one message naming the file."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from assistant.corpus import bounds, read_corpus
from assistant.corpus.documents import read_docx
from assistant.errors import CorpusError, InputError
from tests.hardening.hostile_zips import HOSTILE_ZIPS, bomb_docx, build_zip, entity_docx

GOOD = {"id": "ok-1", "date": "2024-07-01", "title": "正常新闻", "body": "正文。", "source": "新华网"}


def _good(folder: Path) -> None:
    (folder / "good.jsonl").write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.mark.parametrize("suffix", [".pdf", ".jsonl", ".docx", ".html"])
def test_a_1_gib_sparse_file_is_refused_by_its_size_before_reading(tmp_path: Path, suffix: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / f"huge{suffix}"
    with big.open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: no disk used, but a reader that reads it whole needs 1 GiB
    _good(tmp_path)
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    result = read_corpus(tmp_path, skip_bad=True)
    assert [i.doc_id for i in result.items] == ["ok-1"]
    (refusal,) = [s for s in result.skipped if Path(s.file).name == big.name]
    assert "超过" in refusal.reason and "未读取" in refusal.reason
    assert big not in reads


def test_a_symlink_leaving_the_corpus_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd.jsonl").write_text(json.dumps({**GOOD, "id": "leak", "title": "机密"}, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _good(corpus)
    os.symlink(outside / "passwd.jsonl", corpus / "link.jsonl")
    os.symlink(outside, corpus / "dirlink")
    result = read_corpus(corpus, skip_bad=True)
    assert [i.doc_id for i in result.items] == ["ok-1"]
    assert all("符号链接" in s.reason for s in result.skipped) and len(result.skipped) >= 1
    with pytest.raises(CorpusError, match="符号链接"):
        read_corpus(corpus)


def test_a_symlink_inside_the_folder_is_read(tmp_path: Path) -> None:
    _good(tmp_path)
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path / "good.jsonl", tmp_path / "sub" / "alias.jsonl")
    assert not read_corpus(tmp_path, link_duplicates=False, skip_bad=True).skipped


def test_entity_amplification_in_a_docx_is_one_refusal_and_skip_bad_goes_on(tmp_path: Path) -> None:
    (tmp_path / "laughs.docx").write_bytes(entity_docx())
    _good(tmp_path)
    result = read_corpus(tmp_path, skip_bad=True)
    assert [i.doc_id for i in result.items] == ["ok-1"]
    (refusal,) = result.skipped
    assert Path(refusal.file).name == "laughs.docx" and "DTD" in refusal.reason


def test_a_docx_whose_xml_inflates_past_the_limit_is_refused_while_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    raw = bomb_docx(80)
    assert len(raw) < 1_000_000  # a small file
    t0 = time.perf_counter()
    refused = read_docx(path, raw)
    assert isinstance(refused, CorpusError) and "上限" in refused.reason
    assert time.perf_counter() - t0 < 10  # stopped at 64 MB inflated, not parsed (was 7 minutes)


def test_a_docx_of_30000_paragraphs_reads_in_linear_time(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("标题：三万段", level=1)  # a real styles part: the heading is found through it
    document.save(str(tmp_path / "base.docx"))
    with zipfile.ZipFile(tmp_path / "base.docx") as base:
        parts = {i.filename: base.read(i) for i in base.infolist()}

    def make(n: int) -> bytes:
        # python-docx's own add_paragraph is quadratic (85 s for 30,000): the paragraphs are written as XML
        body = "".join(f"<w:p><w:r><w:t>第{i}段 2024年7月1日</w:t></w:r></w:p>" for i in range(n)).encode()
        xml = parts["word/document.xml"].replace(b"<w:sectPr", body + b"<w:sectPr", 1)
        return build_zip({**parts, "word/document.xml": xml})

    timings = {}
    for n in (3000, 30000):
        raw = make(n)
        t0 = time.process_time()
        record = read_docx(tmp_path / f"p{n}.docx", raw)
        timings[n] = time.process_time() - t0
        assert not isinstance(record, CorpusError)
        assert record.data["title"] == "标题：三万段"
        assert record.data["body"].count("段 2024年7月1日") == n
    # python-docx's per-paragraph style lookup made 30,000 paragraphs cost a minute of CPU (now ~1 s)
    assert timings[30000] < 15
    assert timings[30000] < max(20 * timings[3000], 1.0)


def test_too_many_paragraphs_is_a_refusal(tmp_path: Path) -> None:
    limits = bounds.Limits(file_bytes={}, paragraphs=100)
    import docx

    document = docx.Document()
    for i in range(150):
        document.add_paragraph(str(i))
    with pytest.raises(CorpusError, match="段落"):
        bounds.docx_text(document, file="x.docx", limits=limits)


def test_pdf_page_limit(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="页"):
        bounds.check_pages(5000, "many.pdf")


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIPS))
def test_hostile_upload_is_one_message_naming_the_upload(tmp_path: Path, case: str) -> None:
    data = HOSTILE_ZIPS[case]()
    with pytest.raises(InputError) as caught:
        bounds.extract_zip(data, tmp_path / "out", "corpus.zip")
    assert caught.value.file == "corpus.zip"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))  # nothing half-written
    assert not (tmp_path.parent / "etc" / "evil.jsonl").exists()


def test_a_good_upload_is_unpacked(tmp_path: Path) -> None:
    data = build_zip({"raw/a.jsonl": json.dumps(GOOD).encode(), "raw/sub/": b""})
    out = bounds.extract_zip(data, tmp_path / "out", "corpus.zip")
    assert json.loads((out / "raw" / "a.jsonl").read_text())["id"] == "ok-1"


@pytest.mark.parametrize("case", ["crc_error", "encrypted_member", "method_99", "lying_directory"])
def test_a_hostile_docx_container_is_a_corpus_refusal(tmp_path: Path, case: str) -> None:
    (tmp_path / "note.docx").write_bytes(HOSTILE_ZIPS[case]())
    _good(tmp_path)
    result = read_corpus(tmp_path, skip_bad=True)
    assert [i.doc_id for i in result.items] == ["ok-1"]
    assert [Path(s.file).name for s in result.skipped] == ["note.docx"]
