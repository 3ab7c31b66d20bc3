"""Title and publisher from a document's own text, as Chinese official documents, notices and reports print them:
the issuing body at the head of page 1 (or after 发文机关：/发布单位：), the signature block (落款) at the end, the
title as the largest heading, a 《…》 name or the first line that is not a header.

Pure functions over the text as read (before page furniture is removed, which may carry the issuer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.corpus.dates import dates_in_text
from assistant.corpus.publishers import junk_title

__all__ = ["document_title", "issuing_body", "signature_body", "strip_letterhead"]

_HEAD_LINES = 10
_ORG = re.compile(
    r"^(?:中华人民共和国)?[\u4e00-\u9fff（）()·]{2,36}?(?:部|委|委员会|办公厅|办公室|局|署|总局|管理局|人民政府|政府|国务院|"
    r"研究院|研究所|研究中心|中心|交易所|协会|联合会|联盟|学会|秘书处|法院|检察院|银行|公司|集团|网信办|董事会|"
    r"证券|证券研究所)(?:文件)?$")
_DOC_NUMBER = re.compile(r"[〔\[【［]\s*20\d{2}\s*[〕\]】］]\s*\d{1,4}\s*号")
_NOT_TITLE = re.compile(r"^(?:.{0,24}证券研究报告|[—–\-\s\d/第页共]+$|发布日期|成文日期|索引号|主题分类|发文字号|来源[:：]|"
                        r"日期[:：]|时间[:：]|(?:分析师|作者|编辑)[:：])")
_DOC_TITLE = re.compile(r"^关于.{2,80}的(?:通知|意见|指导意见|实施意见|决定|批复|公告|函|办法|规定|通报|报告)$|"
                        r"^.{2,60}(?:办法|条例|细则|规定|框架|标准|指南|方案|规划|计划|意见|通知|公告)(?:（[^）]{1,20}）)?$")
_QUOTED = re.compile(r"《([^《》]{4,80})》")


def _lines(text: str, limit: int | None = None) -> list[str]:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    return lines[:limit] if limit else lines


def _org(line: str) -> str | None:
    """The organisation a header line names, or None; joint issuers ("国家发展改革委 国家数据局") are joined by 、."""
    line = line.strip()
    if len(line) > 60 or _DOC_NUMBER.search(line):
        return None
    parts = line.split()
    if len(parts) > 1 and all(_ORG.match(p) for p in parts):
        return "、".join(p.removesuffix("文件") for p in parts)
    match = _ORG.match(line.replace(" ", ""))
    # "XX 股份有限公司董事会" signs for the company; "XX 市人民政府办公厅文件" is the office's letterhead
    return match.group(0).removesuffix("文件").removesuffix("董事会") if match else None


def issuing_body(text: str) -> str | None:
    """The issuing body printed at the head of the first page ("国家互联网信息办公室", "XX市人民政府办公厅文件")."""
    for line in _lines(text, _HEAD_LINES):
        if _DOC_TITLE.match(line.replace(" ", "")) or _QUOTED.search(line):
            break  # the title comes after the issuer: a line past it is the body
        found = _org(line)
        if found:
            return found
    return None


def signature_body(text: str) -> str | None:
    """The body signing the document (落款): an organisation line just before or after the closing date."""
    lines = _lines(text)[-8:]
    for i in range(len(lines) - 1, -1, -1):
        if dates_in_text(lines[i]) and len(lines[i]) <= 24:
            for j in (i - 1, i - 2, i + 1):
                if 0 <= j < len(lines):
                    found = _org(lines[j])
                    if found:
                        return found
            inline = re.sub(r"\s*\d{4}\s*年.*$", "", lines[i]).strip()  # "工业和信息化部 2024年7月5日"
            found = _org(inline) if inline else None
            if found:
                return found
    return None


def document_title(text: str, headings: Sequence[str] = ()) -> str | None:
    """The title: the largest heading of page 1 that is not the issuing body's name or a banner (and not junk),
    else a document-title line of the head ("关于…的通知", "…管理办法"), else a 《…》 name in the head, else the
    first line that is not a header."""
    for heading in headings:
        if (not junk_title(heading) and 2 <= len(heading) <= 200 and not _org(heading)
                and not _NOT_TITLE.match(heading) and not _DOC_NUMBER.search(heading)):
            return heading
    head = _lines(text, 14)
    candidates = [line for line in head if not _NOT_TITLE.match(line) and not _org(line)
                  and not _DOC_NUMBER.search(line) and not dates_in_text(line[:20])]
    for line in candidates:
        if _DOC_TITLE.match(line.replace(" ", "")) and len(line) <= 100:
            return line
    for line in head:
        match = _QUOTED.search(line)
        if match and len(line) <= 120 and line.startswith(("关于", "《")):
            return line
    for line in candidates:
        if 4 <= len(line) <= 100 and not junk_title(line):
            return line
    return None


_ISSUE_DATE = re.compile(r"^(?:20\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?)\s*(?:发布|印发|实施|施行)?"
                         r"(?:\s+20\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?\s*(?:实施|施行))?$")
_CODES = re.compile(r"^(?:证券代码|股票代码|证券简称|公告编号)\s*[:：]")


def strip_letterhead(body: str, title: str) -> str:
    """The body without the letterhead above the text (issuing body, 文号, stock codes, the title's wrapped pieces,
    the issue date) and the signature block below it (落款 organisation and date): they are the document's
    metadata, already taken into title/source/date, not its content."""
    lines = body.split("\n")
    folded = re.sub(r"\s+", "", title)
    start = 0
    for line in lines[:6]:
        text = line.strip()
        piece = re.sub(r"\s+", "", text)
        if not text or _org(text) or (_DOC_NUMBER.search(text) and len(text) <= 40) or _CODES.match(text) \
                or (len(piece) >= 2 and piece in folded) or _ISSUE_DATE.match(text):
            start += 1
            continue
        break
    end = len(lines)
    while end > start and end > len(lines) - 3:
        text = lines[end - 1].strip()
        if not text or _org(text) or _ISSUE_DATE.match(text) or (_org(re.sub(r"\s*\d{4}\s*年.*$", "", text) or "-")
                                                                 and dates_in_text(text)):
            end -= 1
            continue
        break
    return "\n".join(lines[start:end]).strip()
