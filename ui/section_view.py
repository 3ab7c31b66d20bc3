"""What-you-see-is-what-exports: a section drawn from the same blocks the Markdown and Word exports walk.

The report is assembled by ``assistant.export.assemble`` with every section's current text, so tables and charts
appear in place with their report numbers (表 n / 图 n) and digest tables are tables. Inline text goes through
the export's ``inline_runs`` (what Word prints) and every character of it is then escaped for Streamlit's
Markdown, so ``50~73%`` is never struck through and ``*``/``_`` never turn into emphasis; bold runs stay bold,
URLs become links with their exact address and ``[n]`` links to source n on the same page.

Beside the text, each cited source: the passage sentence that supports the section's claim, shown on its own and
again highlighted inside the full passage, so an editor sees where in the passage the claim comes from.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import streamlit as st
from ra_ui import report_snapshot, safe_url

from assistant.errors import ExportError
from assistant.export.assemble import assemble
from assistant.export.blocks import (
    FIGURE_PENDING,
    Block,
    BulletList,
    ChartBlock,
    CodeBlock,
    Heading,
    MdTable,
    Paragraph,
    Quote,
    Ref,
    TableBlock,
)
from assistant.export.text import inline_runs
from assistant.models import Report
from assistant.review import ReviewService, SectionView
from assistant.review.highlight import highlight_spans
from assistant.review.support import citing_sentences, supporting_sentence

__all__ = ["block_markdown", "current_report", "inline_markdown", "md_escape", "passage_markdown", "render_blocks",
           "render_section", "render_sources", "report_blocks", "section_blocks"]

_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_URL_OR_MARKER = re.compile(r"(https?://[^\s（）()<>\"'，。；]+)|\[(\d{1,4})\]")


def md_escape(text: str) -> str:
    """Every ASCII punctuation character backslash-escaped (CommonMark allows all of them): shown as written.
    ``<`` becomes the entity ``&lt;`` so no text that looks like a tag ever reaches the renderer."""
    return _ASCII_PUNCT.sub(r"\\\1", text).replace("\\<", "&lt;")


def _inline_plain(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _URL_OR_MARKER.finditer(text):
        out.append(md_escape(text[pos:m.start()]))
        if m.group(1):
            # a URL in news or model text is shown as text, never a live link (phishing, tracking): copy to open
            out.append(md_escape(m.group(1)))
        else:
            out.append(f"[\\[{m.group(2)}\\]](#src-{m.group(2)})")
        pos = m.end()
    out.append(md_escape(text[pos:]))
    return "".join(out).replace("\n", "  \n")


# An invisible zero-width space written as an entity: its source starts with "&" and ends with ";" (punctuation),
# which is what CommonMark looks at beside a "**"; the page shows nothing for it.
_ZWSP = "&#8203;"


def _is_punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _bold(body: str, before: str, after: str) -> str:
    """``**body**`` that CommonMark opens and closes whatever the punctuation around it.

    A ``**`` opens only if left-flanking (a punctuation mark after it needs whitespace or punctuation before it)
    and closes only if right-flanking (a punctuation mark before it needs whitespace or punctuation after it):
    ``尾声。**人工智能`` does not close, ``研究**“AI”`` does not open. Where a rule fails, a zero-width space entity
    stands between the ``**`` and the CJK character, so the bold is exactly the run Word prints bold.
    """
    opening = "**"
    if _is_punct(body[0]) and before and not (before.isspace() or _is_punct(before)):
        opening = _ZWSP + opening
    closing = "**"
    if _is_punct(body[-1]) and after and not (after.isspace() or _is_punct(after)):
        closing += _ZWSP
    return f"{opening}{body}{closing}"


def inline_markdown(markdown: str) -> str:
    """Section inline Markdown as Streamlit Markdown that shows exactly the text Word prints, bold where Word is."""
    parts = [(_inline_plain(text), bold) for text, bold in inline_runs(markdown)]
    out: list[str] = []
    for i, (body, bold) in enumerate(parts):
        stripped = body.strip()
        if not (bold and stripped):
            out.append(body)
            continue
        lead, trail = body[:len(body) - len(body.lstrip())], body[len(body.rstrip()):]
        before = lead[-1:] or ("".join(out)[-1:])
        after = trail[:1] or (parts[i + 1][0][:1] if i + 1 < len(parts) else "")
        out.append(lead + _bold(stripped, before, after) + trail)
    return "".join(out)


def current_report(report: Report, sections: list[SectionView]) -> Report:
    """The imported report with every section's current text (what an export would print now)."""
    by_id = {s.section_id: s for s in sections}
    drafts = [d.model_copy(update={"markdown": by_id[d.id].markdown, "citations": by_id[d.id].citations})
              if d.id in by_id else d for d in report.sections]
    return report.model_copy(update={"sections": drafts})


def section_blocks(report: Report, section_id: str) -> list[Block]:
    """The blocks export prints for one section, numbered as in the whole report."""
    return assemble(report).sections.get(section_id, [])


def block_markdown(block: Block) -> str | None:
    """Markdown for a text block; ``None`` for blocks drawn as elements (tables, charts, code)."""
    if isinstance(block, Heading):
        return f"{'#' * max(3, min(block.level + 1, 6))} {inline_markdown(block.text)}"
    if isinstance(block, Paragraph):
        return inline_markdown(block.text)
    if isinstance(block, Quote):
        return "\n".join(f"> {inline_markdown(line)}" for line in block.text.split("\n"))
    if isinstance(block, BulletList):
        lines = []
        for item in block.items:
            marker = "-" if item.marker in {"-", "*", "+"} else item.marker.replace(")", ".")
            lines.append(f"{'    ' * item.depth}{marker} {inline_markdown(item.text)}")
        return "\n".join(lines)
    if isinstance(block, Ref):
        return md_escape(f"{{{{{block.kind}:{block.ref}}}}}")
    return None


def _frame(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], *, markdown: bool) -> pd.DataFrame:
    """st.table renders cells as Markdown: section tables keep theirs (bold, [n] links), data cells are escaped."""
    def cell(text: str) -> str:
        return inline_markdown(text) if markdown else md_escape(text)
    width = len(columns)
    body = [[cell(c) for c in (tuple(r[:width]) + ("",) * (width - len(r)))] for r in rows]
    header: list[str] = []
    for c in columns:
        name = cell(c)
        while name in header:  # pandas needs distinct column names; a trailing space shows nothing
            name += " "
        header.append(name)
    return pd.DataFrame(body, columns=header)


def render_blocks(blocks: list[Block], out_dir: Path) -> None:
    for block in blocks:
        text = block_markdown(block)
        if text is not None:
            if isinstance(block, Paragraph) and block.text.startswith("资料来源"):
                st.caption(text)
            else:
                st.markdown(text)
        elif isinstance(block, MdTable):
            if block.caption:
                st.markdown(f"**{md_escape(block.caption)}**")
            st.table(_frame(block.header, block.rows, markdown=True), hide_index=True)
        elif isinstance(block, TableBlock):
            st.markdown(f"**{md_escape(block.title)}**")
            st.table(_frame(block.columns, block.rows, markdown=False), hide_index=True)
            if block.source:
                st.caption(md_escape(block.source))
            if block.note:
                st.caption(md_escape(f"注：{block.note}"))
        elif isinstance(block, ChartBlock):
            st.markdown(f"**{md_escape(block.title)}**")
            path = (out_dir / block.path).resolve()
            if not block.path:  # a figure slot the write-up asked for: the editor inserts the picture in Word
                st.info(f"{FIGURE_PENDING}：导出的 Word 文档在此处留有图位，请编辑插入图片")
            elif path.is_file() and path.is_relative_to(out_dir.resolve()):
                st.image(str(path))
            else:
                st.warning(f"图表文件不存在：{md_escape(str(block.path))}")
            if block.source:
                st.caption(md_escape(block.source))
        elif isinstance(block, CodeBlock):
            st.code(block.text, language=None)


@st.cache_resource(max_entries=32, show_spinner=False)
def _report_blocks(_svc: ReviewService, _sections: list[SectionView], url: str, report_id: int,
                   versions: tuple[tuple[str, int], ...]) -> dict[str, list[Block]] | ExportError:
    """Every section's export blocks for one set of section versions (the cache key: a new version of any section
    renumbers tables and figures after it). Built once per version set and process, not on every click; an export
    error is cached as the value too, so a text export cannot place is not re-assembled on every run."""
    try:
        return assemble(current_report(report_snapshot(_svc, report_id), _sections)).sections
    except ExportError as exc:
        return exc


def report_blocks(svc: ReviewService, report_id: int, sections: list[SectionView]) -> dict[str, list[Block]] | ExportError:
    versions = tuple((s.section_id, s.current_version) for s in sections)
    return _report_blocks(svc, sections, str(svc.engine.url), report_id, versions)


def render_section(svc: ReviewService, report_id: int, sections: list[SectionView], section: SectionView,
                   out_dir: Path) -> None:
    """The section as it will export; a text export cannot place (unknown table id) is shown with the reason."""
    assembled = report_blocks(svc, report_id, sections)
    if isinstance(assembled, ExportError):
        st.error(f"本章无法按导出格式显示：{md_escape(str(assembled))}")
        st.text(section.markdown)
        return
    blocks = assembled.get(section.section_id, [])
    if not blocks:
        st.caption("（本章暂无正文）")
        return
    render_blocks(blocks, out_dir)


def passage_markdown(passage: str, support: str) -> str:
    """The cited passage, every character escaped, with ``support`` (one of its sentences) on an orange
    background: a Streamlit directive around escaped text, never HTML."""
    if not passage:
        return "（无段落）"
    return "".join(f":orange-background[{md_escape(piece)}]" if hit else md_escape(piece)
                   for piece, hit in highlight_spans(passage, [support] if support else []))


def render_sources(svc: ReviewService, section: SectionView) -> None:
    st.subheader("引用来源")
    sources = svc.section_sources(section)
    if not sources:
        st.caption("本章没有引用。")
    for source in sources:
        # The anchor is the target of the body's [n] links.
        st.subheader(f"\\[{source.marker}\\] {md_escape(source.title)}", anchor=f"src-{source.marker}")
        support = supporting_sentence(citing_sentences(section.markdown, source.marker), source.passage)
        if support:
            st.markdown(f"支撑句：:orange-background[{md_escape(support)}]")
        st.caption(f"{md_escape(source.publisher)} · {source.date or '日期未知'}"
                   + (" · 背景资料，不属于本月新闻" if source.background else ""))
        url = safe_url(source.url)
        if url:
            st.link_button("打开原文", url)
        elif source.url:
            st.text(f"链接（未启用）：{source.url}")
        with st.expander("引用段落", expanded=False):
            st.markdown(passage_markdown(source.passage, support))
