"""The answer check: is a drafted section an answer at all? Pure, and the same for every engine.

Real models (small ones above all) return things that parse but are not a section: "无", the prompt's own
scaffolding, the schema's example text, a literal ``[n]``, a heading of another section, or a repetition loop.
Each rule below yields findings of kind ``answer_check:<rule>``; a rule marked fatal makes the verdict ``failed``
(the section never shows as 完成), the others ``needs_review`` (kept, with a blocking finding).

The check judges content, not form: an entry made only of markers and punctuation, or of text copied from the
prompt (stock lists, field hints, schema wording), says nothing (``entry_problems``, applied by the model engine to
the JSON entries of core views and advice: one entry per thesis/direction or the answer is refused); a model
sentence whose cited passage shares none of its facts, names or numbers is blocking (``unsupported_citation``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from assistant.engine.spec import SectionSpec
from assistant.errors import ModelError
from assistant.models import Finding

__all__ = ["AWAITING_EDITOR", "PROMPT_LABELS", "AnswerVerdict", "UnusableAnswer", "check_answer", "echo_fragments",
           "entry_content", "entry_problems", "shares_facts", "tag_uncited_judgement"]

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


# ---------------------------------------------------------------- content, not form
# Words of the prompt's listings and of the answer schema's hints: an entry built of them says nothing.
PROMPT_LABELS = ("相关标的", "催化剂来源", "催化来源", "证据来源", "分析师观点", "资料来源", "来源", "催化剂", "本月催化",
                 "本月支持事实", "每句末尾", "本月属于该方向的事实", "每个事实后", "已提供", "程序原样排版", "行情", "无")
MIN_CONTENT_CHARS = 4
_NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
# Words any sentence of an AI-industry monthly may carry: sharing only these with a passage shares no fact.
_GENERIC = re.compile("|".join(sorted((
    "本月", "当月", "近期", "进展", "较多", "密集", "相关", "持续", "发布", "推出", "引发", "关注", "值得", "动态", "显著",
    "明显", "加速", "行业", "产业", "公司", "企业", "我们", "认为", "方面", "领域", "推动", "提升", "能力", "市场", "技术",
    "应用", "发展", "重要", "进一步", "不断", "继续", "人工智能", "大模型", "模型", "国内", "海外", "全球", "本月催化",
    "相关标的", "落地", "加快", "有望", "未来", "成为", "以及", "其中", "同时", "已经", "正在", "新的", "一系列"),
    key=len, reverse=True)))
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-.]*[A-Za-z0-9]|[A-Za-z]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_BOLD = re.compile(r"\*\*[^*\n]*\*\*")
_CLAIM_BIGRAMS = 3  # a sentence with fewer content bigrams (after generic words) claims too little to judge


def entry_content(text: str, copied: Sequence[str] = ()) -> str:
    """What an entry says of its own: markers, punctuation, prompt labels and ``copied`` text removed."""
    rest = _MARKER.sub(" ", text)
    for piece in sorted({*copied, *PROMPT_LABELS}, key=len, reverse=True):
        if len(piece) >= 2 or piece == "无":
            rest = rest.replace(piece, " ")
    return _NOT_WORD.sub("", rest)


def _facts(text: str) -> tuple[set[str], set[str]]:
    """(numbers and Latin names, CJK content bigrams) of a sentence, generic words left out."""
    plain = _MARKER.sub(" ", text)
    exact = set(_NUMBER.findall(plain)) | {w.lower() for w in _LATIN.findall(plain) if len(w) >= 2}
    bigrams: set[str] = set()
    for run in _CJK_RUN.findall(_GENERIC.sub("|", plain)):
        bigrams |= {run[i:i + 2] for i in range(len(run) - 1)}
    return exact, bigrams


def shares_facts(sentence: str, passage: str) -> bool:
    """Whether a cited passage could support the sentence: a shared number or name, or a shared content bigram
    (generic words left out). A sentence that claims too little to judge counts as supported: only a sentence
    sharing nothing at all with what it cites is flagged (the 0 % overlaps a 0.5B model produced)."""
    exact, bigrams = _facts(sentence)
    if not exact and len(bigrams) < _CLAIM_BIGRAMS:
        return True
    low = passage.lower()
    if any(e in low for e in exact):
        return True
    return bool(bigrams & _facts(passage)[1])


def entry_problems(entries: Sequence[str], briefs: Sequence[tuple[str, Sequence[int], Sequence[str]]],
                   label: str) -> list[str]:
    """What is wrong with the model's entries, one per brief (label, its evidence numbers, text it must not
    copy): missing entries, entries saying nothing of their own, one entry repeated for several briefs. Briefs
    without evidence may stay empty. (A citation of the wrong passage is judged by ``shares_facts`` in the
    answer check, as a blocking finding.)"""
    problems: list[str] = []
    if len(entries) < len(briefs):
        problems.append(f"需要 {len(briefs)} 条（每个{label}各一条，按顺序），只给了 {len(entries)} 条")
    seen: dict[str, int] = {}
    for i, ((name, sources, copied), entry) in enumerate(zip(briefs, entries, strict=False), start=1):
        if not sources:
            continue
        # the brief's own headline is not "copied": a proposed thesis is an event, and restating it is evidence
        own = entry_content(entry, copied)
        if len(own) < MIN_CONTENT_CHARS:
            problems.append(f"第 {i} 条（{name}）只有编号、标点或照抄提示词的文字（「{entry.strip()[:30] or '空'}」），"
                            "没有写出资料中的事实")
            continue
        if own in seen:
            problems.append(f"第 {i} 条与第 {seen[own]} 条内容相同：每个{label}要写各自的事实")
        seen.setdefault(own, i)
    return problems


def _sentences(markdown: str) -> list[str]:
    text = _BOLD.sub(" ", _SLOT_MARK.sub(" ", markdown))
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if _MARKER.search(m.group(0))]


def _unsupported(spec: SectionSpec, markdown: str, passages: Mapping[int, str]) -> list[Finding]:
    out: list[Finding] = []
    for sentence in _sentences(markdown):
        numbers = [int(n) for n in re.findall(r"\[(\d{1,3})\]", sentence) if int(n) in passages]
        if not numbers or any(shares_facts(sentence, passages[n]) for n in numbers):
            continue
        cited = "、".join(f"[{n}]" for n in numbers)
        out.append(_finding(spec, "unsupported_citation", f"模型写的句子与所引资料 {cited} 没有共同的事实、名称或数字："
                                                          "引用可能张冠李戴，请核对", sentence))
    return out


def check_answer(spec: SectionSpec, markdown: str, *, citations: int,
                 prompt_texts: Sequence[str] = (), other_titles: Sequence[str] = (),
                 passages: Mapping[int, str] | None = None) -> AnswerVerdict:
    """The verdict on one drafted section. Fixed sections (static, disclosures) always pass. ``passages`` (the
    cited sources' text by section-local number) are given for model-written drafts: a sentence whose cited
    passages share none of its facts is a blocking ``unsupported_citation`` (``needs_review``)."""
    if spec.kind in ("static", "disclosures"):
        return AnswerVerdict(status="passed")
    refusal = _refusal(spec, markdown)
    if refusal:
        return AnswerVerdict(status="failed", findings=refusal)
    fatal = [*_substance(spec, markdown), *_echo(spec, markdown, prompt_texts), *_literal(spec, markdown),
             *_loop(spec, markdown), *_citations(spec, citations)]
    review = _foreign_headings(spec, markdown, other_titles)
    if passages:
        review += _unsupported(spec, markdown, passages)
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
