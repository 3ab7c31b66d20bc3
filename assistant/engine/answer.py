"""The answer check: is a drafted section an answer at all? Pure, and the same for every engine.

Real models (small ones above all) return things that parse but are not a section: "无", the prompt's own
scaffolding, the schema's example text, a literal ``[n]``, a heading of another section, or a repetition loop.
Each rule below yields findings of kind ``answer_check:<rule>``; a rule marked fatal makes the verdict ``failed``
(the section never shows as 完成), the others ``needs_review`` (kept, with a blocking finding).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from assistant.engine.spec import SectionSpec
from assistant.errors import ModelError
from assistant.models import Finding

__all__ = ["AWAITING_EDITOR", "AnswerVerdict", "UnusableAnswer", "check_answer", "echo_fragments", "tag_uncited_judgement"]

NEWS_KINDS = ("digest", "writeup")
_MARKER = re.compile(r"\[\d{1,3}\]")
_LITERAL = re.compile(r"\[(?:n|N|x|X|编号|来源|n\d?|序号)\]|\{\{(?!\s*(?:table|chart):)[^{}\n]*\}\}|\{[^{}\n]{1,40}\}")
_BLOCK_MARKER = re.compile(r"\{\{\s*(?:table|chart):[^}]*\}\}")
_SOURCE_BLOCK = re.compile(r"<source\b.*?</source>", re.DOTALL)
_FRAGMENT_SPLIT = re.compile(r"[\n。；！？：:“”\"，,（）()\[\]{}]")
_DATA_LINE = re.compile(r"^\s*(?:【|#|\d+[.、]\s|[A-Z][A-Z0-9]*（|关注名单)")
_REFUSAL = re.compile(r"^(?:无|暂无|没有|无内容|无相关内容|不适用|n/?a|none|null|抱歉.*|对不起.*|我无法.*|作为.{0,12}模型.*)$",
                      re.IGNORECASE)
_PLAIN_DROP = re.compile(r"[\s*#>|\-—:：。，,、；;！？!?()（）\[\]]+")
ECHO_MIN_CHARS = 8
LOOP_SHINGLE = 24
LOOP_REPEATS = 4


class AnswerVerdict(BaseModel):
    status: Literal["passed", "needs_review", "failed"]
    findings: list[Finding] = Field(default_factory=list)


def _finding(spec: SectionSpec, rule: str, detail: str, sentence: str = "") -> Finding:
    return Finding(section=spec.id, kind=f"answer_check:{rule}", severity="blocking", detail=detail,
                   sentence=sentence[:200])


def _plain(text: str) -> str:
    return _PLAIN_DROP.sub("", _MARKER.sub("", _BLOCK_MARKER.sub("", text)))


def _blocks(markdown: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", markdown) if b.strip()]


def _prose_blocks(markdown: str) -> list[str]:
    """Paragraphs that are neither headings, tables, table titles, source lines nor table/chart markers."""
    out = []
    for block in _blocks(markdown):
        lines = [ln for ln in block.splitlines() if ln.strip()
                 and not re.match(r"^\s*(#|\||表：|图：|资料来源|!\[)", ln) and not _BLOCK_MARKER.fullmatch(ln.strip())]
        if lines and len(_plain("".join(lines))) >= 2:
            out.append("\n".join(lines))
    return out


def _table_rows(markdown: str) -> int:
    lines = [ln.strip() for ln in markdown.splitlines()]
    rows = 0
    for i, line in enumerate(lines):
        if not line.startswith("|") or re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", line):
            continue
        is_header = i + 1 < len(lines) and re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", lines[i + 1]) is not None
        rows += 0 if is_header else 1
    return rows


def _substance(spec: SectionSpec, markdown: str) -> list[Finding]:
    kind = spec.kind
    if kind == "digest" and _table_rows(markdown) == 0:
        return [_finding(spec, "no_rows", "摘要表一行也没有：模型的条目全部无法对应到资料或表名")]
    if kind == "writeup" and not any(_MARKER.search(b) for b in _prose_blocks(markdown)):
        return [_finding(spec, "no_paragraph", "没有一段带来源编号 [n] 的正文")]
    if kind == "core_views" and not re.search(r"^\s*[-*]\s+\S", markdown, re.MULTILINE):
        return [_finding(spec, "no_bullet", "核心观点没有任何要点（每条观点应为一条列表项）")]
    if kind in ("market", "advice") and not _prose_blocks(markdown):
        return [_finding(spec, "no_prose", "除表格与图的位置标记外没有正文")]
    return []


def echo_fragments(prompt_texts: Sequence[str]) -> set[str]:
    """Instruction fragments of the rendered prompt (sources, briefs, listings and headings left out)."""
    fragments: set[str] = set()
    for text in prompt_texts:
        for line in _SOURCE_BLOCK.sub("", text).splitlines():
            if _DATA_LINE.match(line) or " = " in line:
                continue
            for part in _FRAGMENT_SPLIT.split(line):
                part = part.strip(" -*、")
                if len(part) >= ECHO_MIN_CHARS and not part.isascii():
                    fragments.add(part)
    return fragments


def _own_titles(spec: SectionSpec) -> str:
    """Text the section is asked to print (its titles, table titles, source lines): never an echo."""
    return "\n".join([spec.title, spec.chapter, spec.label, *spec.columns,
                      *(t for r in spec.retrieval for t in (r.title, r.source_line))])


def _echo(spec: SectionSpec, markdown: str, prompt_texts: Sequence[str]) -> list[Finding]:
    own = _own_titles(spec)
    hits = sorted(f for f in echo_fragments(prompt_texts) if f in markdown and f not in own)
    if not hits:
        return []
    return [_finding(spec, "prompt_echo", f"正文照抄了提示词或格式示例的文字（{len(hits)} 处），如「{hits[0]}」",
                     hits[0])]


def _literal(spec: SectionSpec, markdown: str) -> list[Finding]:
    found = list(dict.fromkeys(m.group(0) for m in _LITERAL.finditer(_BLOCK_MARKER.sub("", markdown))))
    if not found:
        return []
    return [_finding(spec, "placeholder_left", f"正文留有未替换的占位写法：{'、'.join(found[:5])}", found[0])]


def _norm_heading(text: str) -> str:
    return re.sub(r"[\s#*]+", "", text)


def _foreign_headings(spec: SectionSpec, markdown: str, other_titles: Sequence[str]) -> list[Finding]:
    others = {_norm_heading(t) for t in other_titles if _norm_heading(t)} - {_norm_heading(spec.title)}
    heads = [ln for ln in markdown.splitlines() if ln.lstrip().startswith("#")]
    bad = [h.strip() for h in heads if _norm_heading(h) in others]
    if not bad:
        return []
    return [_finding(spec, "other_section_heading", f"正文含其他章节的标题「{bad[0]}」：模型越出了本节", bad[0])]


_SLOT_MARK = re.compile(r"【[^】\n]{1,24}】")


def _loop(spec: SectionSpec, markdown: str) -> list[Finding]:
    # 【…】 marks (view slots, model-drafted and awaiting-editor tags) are placed by code once per bullet: repeating
    # them is the layout, not a loop
    text = re.sub(r"\s+", "", _SLOT_MARK.sub("", _MARKER.sub("", "\n".join(
        ln for ln in markdown.splitlines() if not re.match(r"^\s*(\|\s*-|资料来源|表：|\{\{)", ln)))))
    if len(text) < LOOP_SHINGLE * LOOP_REPEATS:
        return []
    counts = Counter(text[i:i + LOOP_SHINGLE] for i in range(0, len(text) - LOOP_SHINGLE + 1))
    shingle, times = counts.most_common(1)[0]
    if times < LOOP_REPEATS:
        return []
    return [_finding(spec, "repetition_loop", f"同一段文字重复出现 {times} 次：模型陷入了重复循环", shingle)]


def _refusal(spec: SectionSpec, markdown: str) -> list[Finding]:
    plain = _plain(markdown)
    if len(plain) < 4 or _REFUSAL.match(plain):
        return [_finding(spec, "no_answer", f"模型没有给出内容（回答为「{markdown.strip()[:40] or '空'}」）",
                         markdown.strip()[:200])]
    return []


def _citations(spec: SectionSpec, citations: int) -> list[Finding]:
    if citations > 0:
        return []
    if spec.kind in NEWS_KINDS:
        return [_finding(spec, "no_citation", "新闻章节没有任何有效的来源引用 [n]")]
    return []


def check_answer(spec: SectionSpec, markdown: str, *, citations: int,
                 prompt_texts: Sequence[str] = (), other_titles: Sequence[str] = ()) -> AnswerVerdict:
    """The verdict on one drafted section. Fixed sections (static, disclosures) always pass."""
    if spec.kind in ("static", "disclosures"):
        return AnswerVerdict(status="passed")
    refusal = _refusal(spec, markdown)
    if refusal:
        return AnswerVerdict(status="failed", findings=refusal)
    fatal = [*_substance(spec, markdown), *_echo(spec, markdown, prompt_texts), *_literal(spec, markdown),
             *_loop(spec, markdown), *_citations(spec, citations)]
    review = _foreign_headings(spec, markdown, other_titles)
    if fatal:
        return AnswerVerdict(status="failed", findings=fatal + review)
    return AnswerVerdict(status="needs_review" if review else "passed", findings=review)


class UnusableAnswer(ModelError):
    """The model answered, but not usably (invalid JSON after the repair retry, cut at the length limit, context
    overflow). ``kind`` becomes the finding kind; ``text`` is the model's last answer, kept for the stage file."""

    def __init__(self, message: str, *, kind: str, text: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.text = text


AWAITING_EDITOR = "【待编辑确认】"
JUDGEMENT_KINDS = ("core_views", "advice")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def tag_uncited_judgement(markdown: str) -> tuple[str, list[str]]:
    """Mark every model-written sentence without a citation in a judgement section with ``AWAITING_EDITOR``.

    The checks report each mark as blocking; an editor who confirms the sentence deletes the mark (an edit the
    review store versions), so model opinion reaches a signed report only through a person.
    """
    tagged: list[str] = []

    def _sub(match: re.Match[str]) -> str:
        sentence = match.group(0)
        body = sentence.strip()
        if (_MARKER.search(body) or AWAITING_EDITOR in body or body.startswith(("#", "|", "{{"))
                or len(_plain(body)) < 8):
            return sentence
        tagged.append(body)
        end = len(sentence.rstrip("。！？!? "))
        return f"{sentence[:end]}{AWAITING_EDITOR}{sentence[end:]}"

    return _SENTENCE.sub(_sub, markdown), tagged
