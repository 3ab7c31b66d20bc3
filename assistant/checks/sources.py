"""Checks of the citations themselves: they resolve, were retrieved, fall in the window, come from an
accepted publisher and do not carry text written as instructions to a model.
"""

from __future__ import annotations

from assistant.checks.context import CheckContext, finding
from assistant.corpus.kinds import is_citable, kind_label
from assistant.models import Finding, NewsItem
from assistant.safety import normalise_for_matching

__all__ = [
    "check_citations",
    "check_failed_sections",
    "check_hygiene",
    "check_publishers",
    "check_source_kinds",
    "check_window",
    "instruction_like",
]


def check_citations(ctx: CheckContext) -> list[Finding]:
    """Every [n] has a Report.sources entry, that entry is a corpus item, and the section retrieved it."""
    findings: list[Finding] = []
    cited: set[int] = set()
    for section in ctx.report.sections:
        retrieved = set(section.provenance.retrieved_doc_ids) if section.provenance else set()
        declared = {c.marker: c.doc_id for c in section.citations}
        for sentence in ctx.sentences.get(section.id, []):
            for marker in sentence.markers:
                cited.add(marker)
                ref = ctx.sources.get(marker)
                if ref is None:
                    findings.append(finding(sentence, "invented_citation", "blocking",
                                            f"引用 [{marker}] 在 sources 中不存在", marker=marker))
                    continue
                if ref.doc_id not in ctx.items:
                    findings.append(finding(sentence, "unknown_source", "blocking",
                                            f"引用 [{marker}] 的文档 {ref.doc_id} 不在新闻语料中", marker=marker))
                if marker in declared and declared[marker] != ref.doc_id:
                    findings.append(finding(sentence, "citation_mismatch", "blocking",
                                            f"章节记录 [{marker}] = {declared[marker]}，sources 中为 {ref.doc_id}",
                                            marker=marker))
                if retrieved and ref.doc_id not in retrieved:
                    findings.append(finding(sentence, "not_retrieved", "blocking",
                                            f"[{marker}] 引用的 {ref.doc_id} 不在本章节检索到的文档中",
                                            marker=marker))
    for ref in ctx.report.sources:
        if ref.marker not in cited:
            findings.append(finding(None, "unused_source", "info", f"来源 [{ref.marker}] {ref.title} 未被正文引用",
                                    section="sources", marker=ref.marker))
    return findings


def check_failed_sections(ctx: CheckContext) -> list[Finding]:
    """A section that failed to draft leaves a hole in the report: nothing can be signed off over it."""
    return [finding(None, "section_failed", "blocking", f"章节起草失败：{s.error or '无内容'}", section=s.id)
            for s in ctx.report.sections if s.status == "failed"]


def check_window(ctx: CheckContext) -> list[Finding]:
    """News sections cite items dated inside the report month unless the source is marked background."""
    start, end = ctx.window
    findings: list[Finding] = []
    for section in ctx.config.news_sections:
        for sentence in ctx.sentences.get(section, []):
            for marker in sentence.markers:
                ref = ctx.sources.get(marker)
                if ref is None or ref.background:
                    continue
                item = ctx.items.get(ref.doc_id)
                date = item.date if item else ref.date
                if not start <= date <= end:
                    findings.append(finding(sentence, "out_of_window", "blocking",
                                            f"[{marker}] 日期 {date} 不在报告月份 {start}～{end} 内，且未标记为背景资料",
                                            marker=marker))
                if item is not None and item.date != ref.date:
                    findings.append(finding(sentence, "source_metadata_mismatch", "warning",
                                            f"[{marker}] sources 记录日期 {ref.date}，语料中为 {item.date}",
                                            marker=marker))
    return findings


def check_publishers(ctx: CheckContext) -> list[Finding]:
    """Cited publishers: blocklisted is blocking, on no tier list is a warning."""
    findings: list[Finding] = []
    for ref in ctx.report.sources:
        item = ctx.items.get(ref.doc_id)
        publisher = item.source if item else ref.source
        if ctx.config.is_blocked(publisher):
            findings.append(finding(None, "blocked_publisher", "blocking",
                                    f"[{ref.marker}] 来源 {publisher} 在禁用名单中", section="sources",
                                    marker=ref.marker))
        elif ctx.config.publisher_tier(publisher) is None:
            findings.append(finding(None, "unlisted_publisher", "warning",
                                    f"[{ref.marker}] 来源 {publisher} 不在发布方白名单中", section="sources",
                                    marker=ref.marker))
    return findings


def check_source_kinds(ctx: CheckContext) -> list[Finding]:
    """Sources that may not be published: broker research and internal notes (a compliance breach, whatever the
    sentence says), and items whose publisher is still 【来源待补】 (an editor must fill it first). Both blocking."""
    findings: list[Finding] = []
    for ref in ctx.report.sources:
        item = ctx.items.get(ref.doc_id)
        if item is None:
            continue
        if not is_citable(item):
            findings.append(finding(None, "uncitable_source", "blocking",
                                    f"[{ref.marker}] 《{item.title}》是{kind_label(item.source_kind)}，只能作背景参考，"
                                    "不得引用、转述或列入参考来源", section="sources", marker=ref.marker))
        if item.source_pending:
            findings.append(finding(None, "source_pending", "blocking",
                                    f"[{ref.marker}] 《{item.title}》的发布方未能确定（来源待补），请在 sidecar 文件或"
                                    "语料中补全 source 后重新导入", section="sources", marker=ref.marker))
    return findings


def instruction_like(item: NewsItem, ctx: CheckContext) -> bool:
    if "instruction_like" in item.flags:
        return True
    text = normalise_for_matching(f"{item.title}\n{item.body}")
    return any(p.search(text) for p in ctx.config.instruction_regexes())


def check_hygiene(ctx: CheckContext) -> list[Finding]:
    """Items that read as instructions to a model: blocking when cited, a warning when only in the corpus."""
    cited = {ref.doc_id: ref.marker for ref in ctx.report.sources}
    findings: list[Finding] = []
    for doc_id, item in ctx.items.items():
        if not instruction_like(item, ctx):
            continue
        if doc_id in cited:
            findings.append(finding(None, "instruction_like_cited", "blocking",
                                    f"被引用的 {doc_id}（{item.title}）含有针对模型的指令性文字",
                                    section="sources", marker=cited[doc_id], evidence=item.body[:200]))
        else:
            findings.append(finding(None, "instruction_like_in_corpus", "warning",
                                    f"语料条目 {doc_id}（{item.title}）含有针对模型的指令性文字，未被引用",
                                    section="corpus", evidence=item.body[:200]))
    return findings
