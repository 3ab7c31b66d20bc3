"""Hostile uploads on 新建草稿: each a clear, escaped message on the page, never a traceback (issue 22, item 8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import SAMPLE_DIR
from tests.hardening.hostile_zips import HOSTILE_ZIPS, build_zip


def _pack_zip(*folders: str) -> bytes:
    members = {f"{folder}/{p.name}": p.read_bytes() for folder in folders
               for p in sorted((SAMPLE_DIR / "pack").iterdir()) if p.is_file()}
    return build_zip(members)


def _submit(at: AppTest, pack: bytes, corpus: bytes) -> AppTest:
    at.radio(key="draft_mode").set_value("上传数据包").run()
    at.get("file_uploader")[0].upload("pack.zip", pack, "application/zip")
    at.get("file_uploader")[1].upload("raw.zip", corpus, "application/zip")
    at.run()
    return at.button(key="start_draft").click().run(timeout=60)


@pytest.mark.parametrize("case", ["markdown_name", "method_99", "crc_error", "nested_2100"])
def test_a_hostile_corpus_zip_is_an_escaped_message(app_as: Callable[..., AppTest], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    at = _submit(app_as("analyst", "screens/new_draft.py"), _pack_zip("july"), HOSTILE_ZIPS[case]())
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert error.value.startswith("提交失败") and "raw\\.zip" in error.value
    # every bracket, colon and slash escaped: no live link, no remote image, no bare-URL autolink
    assert "](" not in error.value and "![" not in error.value and "://" not in error.value


def test_two_pack_yaml_in_one_zip_are_refused(app_as: Callable[..., AppTest], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_JOBS_DIR", str(tmp_path / "jobs"))
    corpus = build_zip({"raw/a.jsonl": (SAMPLE_DIR / "corpus.jsonl").read_bytes()})
    at = _submit(app_as("analyst", "screens/new_draft.py"), _pack_zip("june", "july"), corpus)
    assert not at.exception
    (error,) = at.error
    assert "2 个 pack\\.yaml" in error.value or "2 个 pack.yaml" in error.value
