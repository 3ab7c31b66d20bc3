"""The thin orchestrator: load pack -> tables -> charts -> ingest -> draft -> assemble -> checks -> export.

Every stage's output is persisted under ``out_dir/stages`` (see ``stages``); a re-run drafts only the sections
that are missing, failed or stale (inputs or template changed) unless ``force``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from assistant.drafting.assemble import globalise
from assistant.drafting.chain import section_hash
from assistant.drafting.coverage import unused_items
from assistant.drafting.runner import DraftJob, SectionOutcome, draft_sections, packed_of, run_section
from assistant.drafting.stages import RunMeta, StageStore
from assistant.drafting.template import ReportTemplate, SectionSpec, load_template
from assistant.drafting.views import apply_outline
from assistant.engine.request import Engine, parse_instruction
from assistant.errors import DraftingError
from assistant.llm.calllog import CallLog
from assistant.models import Finding, NewsItem, Report, SectionDraft, TableSet
from assistant.outline import Outline, load_outline
from assistant.pack.model import MarketPack, PackConfig
from assistant.progress import ProgressCallback, ProgressEvent, null_progress
from assistant.settings import Settings

__all__ = ["draft_report", "make_engine", "month_window", "plan_sections", "regenerate_section", "report_title",
           "report_values", "with_outline"]


def month_window(month: str) -> tuple[dt.date, dt.date]:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def _names(tables: TableSet, refs: tuple[str, ...]) -> list[str]:
    out = []
    for ref in refs:
        table = tables.table(ref)
        if table is not None and len(table.columns) > 1:
            out += [r[1] for r in table.rows if len(r) > 1 and r[1]]
    return out


def report_values(config: PackConfig, tables: TableSet) -> dict[str, str]:
    """Variables every prompt and lead template may use, all from the pack."""
    watch = _names(tables, ("T4", "T5")) or [*config.watchlists.domestic, *config.watchlists.overseas]
    a_shares = list(dict.fromkeys(_names(tables, ("T1", "T2", "T4"))))
    return {
        "a_share_names": "、".join(a_shares), "pack_names": "、".join(dict.fromkeys([*a_shares, *_names(tables, ("T5",))])),
        "month": config.month, "month_label": f"{int(config.month[5:7])}月", "year": config.month[:4],
        "institution": config.institution or "本研究机构", "industry": config.industry or "人工智能行业",
        "rating": config.rating or "未评级", "rating_action": config.rating_action, "series": config.series,
        "watchlist": "、".join(dict.fromkeys(watch)) or "（关注名单为空）",
    }


def with_outline(template: ReportTemplate, outline: Outline | None) -> ReportTemplate:
    return template.model_copy(update={"sections": apply_outline(template.sections, outline)})


def make_engine(settings: Settings, out_dir: Path, count: Callable[[str], int]) -> Engine:
    if settings.resolved_engine == "openai":
        from assistant.drafting.offline import OfflineEngine as Fallback
        from assistant.llm.engine import OpenAIEngine

        return OpenAIEngine(settings, log=CallLog(Path(out_dir) / "calls.jsonl"), count=count,
                            fallback=Fallback() if settings.fallback_offline else None, probe=True)
    from assistant.drafting.offline import OfflineEngine

    return OfflineEngine()


def _stale(draft: SectionDraft, spec: SectionSpec, job: DraftJob) -> bool:
    """Failed (or failed the answer check), or drafted from other inputs, by another engine, model or endpoint,
    or from another version of its template/prompts."""
    prov = draft.provenance
    if prov is None or draft.status == "failed" or draft.answer_check in ("failed", "needs_review"):
        return True
    if prov.engine != "template" and (prov.model, prov.parameters.get("base_url")) != _endpoint(job.engine):
        return True
    return (prov.pack_hash != job.pack_hash or prov.engine not in ("template", job.engine.name)
            or prov.corpus_hash not in ("", job.corpus_hash) or prov.template_hash != section_hash(spec))


def _endpoint(engine: Engine) -> tuple[str | None, object]:
    """(model, base URL) of an engine; the offline engine has neither."""
    settings = getattr(engine, "settings", None)
    if settings is None:
        return None, None
    return settings.model, settings.openai_base_url


def plan_sections(job: DraftJob, store: StageStore, wanted: list[str] | None,
                  force: bool) -> tuple[list[SectionSpec], dict[str, SectionOutcome]]:
    """Which sections to draft now and which persisted drafts to keep. A redrafted section redrafts its dependents."""
    ids = job.template.ids()
    unknown = [w for w in wanted or [] if w not in ids]
    if unknown:
        raise DraftingError(f"模板 {job.template.id} 中没有这些章节: {', '.join(unknown)}")
    kept: dict[str, SectionOutcome] = {}
    redo: set[str] = set()
    for spec in job.template.sections:
        draft = store.load_draft(spec.id)
        record = store.load_retrieval(spec.id)
        in_scope = wanted is None or spec.id in wanted
        if draft is not None and not (in_scope and (force or _stale(draft, spec, job))) and not (
                in_scope and redo.intersection(spec.depends_on)):
            kept[spec.id] = SectionOutcome(draft, record) if record else SectionOutcome(draft)
        elif in_scope:
            redo.add(spec.id)
    # dependents drafted before their dependencies in template order (core_views) are caught on a second pass
    for spec in job.template.sections:
        if spec.id in kept and (wanted is None or spec.id in wanted) and redo.intersection(spec.depends_on):
            del kept[spec.id]
            redo.add(spec.id)
    return [s for s in job.template.sections if s.id in redo], kept


def _report(job: DraftJob, outcomes: dict[str, SectionOutcome], engine: str) -> Report:
    ordered = [outcomes[s.id].draft for s in job.template.sections if s.id in outcomes]
    sections, sources = globalise(ordered, packed_of(outcomes))
    cfg = job.config
    return Report(
        month=cfg.month, title=report_title(cfg, job.outline), series=cfg.series, industry=cfg.industry, rating=cfg.rating,
        rating_action=cfg.rating_action, institution=cfg.institution, legal_entity=cfg.legal_entity,
        analysts=[{k: v for k, v in a.model_dump().items() if v} for a in cfg.analysts], engine=engine,
        template_id=job.template.id, pack_hash=job.pack_hash, corpus_hash=job.corpus_hash,
        created_at=dt.datetime.now(dt.UTC), sections=sections, tables=job.tables.tables,
        charts=job.tables.charts, sources=sources)


def report_title(config: PackConfig, outline: Outline | None) -> str:
    """The outline's headline, else the pack's, else a neutral one: never a claim carried over from another month."""
    if outline is not None and outline.title:
        return outline.title
    return config.title or f"{config.month[:4]}年{int(config.month[5:7])}月{config.series}"


def _store_settings(settings: Settings, out_dir: Path) -> Settings:
    # An explicitly configured store (flag, env or config file) wins; otherwise each report gets its own store.
    if "store_dir" in settings.model_fields_set or settings.chroma_url:
        return settings
    return settings.model_copy(update={"store_dir": Path(out_dir) / "store"})


def _run_checks(report: Report, items: dict[str, NewsItem], pack: MarketPack, tables: TableSet) -> list[Finding]:
    from assistant.checks import run_checks

    return run_checks(report, items, pack=pack, tables=tables)


def draft_report(pack_dir: Path, corpus_path: Path | None, out_dir: Path, settings: Settings, *,
                 sections: list[str] | None = None, force: bool = False,
                 progress: ProgressCallback = null_progress, skip_bad: bool = False) -> Report:
    """Draft the whole report (or ``sections``) into ``out_dir`` and return it.

    ``corpus_path=None`` drafts from the configured store's latest ingested corpus (its manifest) without reading
    or embedding any file again. ``skip_bad`` leaves out (and lists in the ingestion report) the records and files
    that cannot be read, instead of stopping the run."""
    from assistant.corpus import corpus_hash, read_corpus
    from assistant.export import write_report
    from assistant.llm.classify import classifier_for
    from assistant.llm.translate import translator_for
    from assistant.pack import load_pack
    from assistant.retrieval import open_retriever
    from assistant.store import ingest
    from assistant.tables import compute_tables, render_charts, write_table_files
    from assistant.tokens import count_tokens

    out_dir = Path(out_dir)
    progress(ProgressEvent("pack", f"读取数据包 {pack_dir}"))
    pack = load_pack(Path(pack_dir))
    outline = load_outline(Path(pack_dir), pack)  # a malformed views.yaml stops here, before anything is written
    tables = compute_tables(pack)
    # Every input is validated before anything is written into out_dir: a bad corpus, outline or template must not
    # leave a half-rewritten output folder behind (ingestion reads the corpus again, into the store).
    if corpus_path is not None:
        read_corpus(Path(corpus_path), skip_bad=skip_bad)
    else:
        from assistant.store.manifest import latest_manifest

        manifest = latest_manifest(settings.store_dir)  # no store or no manifest: stop before writing anything
    template = with_outline(load_template(settings.template), outline)
    out_dir.mkdir(parents=True, exist_ok=True)
    StageStore(out_dir).clean_temp()  # temporary files of a run that was killed
    progress(ProgressEvent("tables", f"已计算 {len(tables.tables)} 张表", status="ok"))
    tables = tables.model_copy(update={"charts": render_charts(pack, tables, out_dir)})
    write_table_files(tables, out_dir)
    if corpus_path is not None:  # drafting from a store uses that store, whatever the output folder
        settings = _store_settings(settings, out_dir)
    log = out_dir / "calls.jsonl"
    if corpus_path is not None:
        ingested = ingest(Path(corpus_path), settings, progress, skip_bad=skip_bad,
                          classifier=classifier_for(settings, log), translator=translator_for(settings, log),
                          report_month=pack.config.month, report_path=out_dir / "ingest_report.json")
        doc_ids = [e.doc_id for f in ingested.files for e in f.items]
    else:
        progress(ProgressEvent("ingest", f"使用向量库中已导入的语料 {manifest.path}（{len(manifest.doc_ids)} 条）"))
        doc_ids = manifest.doc_ids
    retriever = open_retriever(settings)
    # The stored copies carry the category ingestion assigned (rules, or the model when one is configured).
    # The ingestion report lists this corpus's items: no third pass over its files (pages, PDFs) to find them.
    items = retriever.get_items(doc_ids)
    store = StageStore(out_dir)
    store.save_tables(tables)
    job = _job(settings, template, tables, pack.config, out_dir, count_tokens, progress, store)
    job.outline = outline
    job.retriever = retriever.scoped(items)  # a shared store holds other corpora: cite only this one's items
    job.pack_hash, job.corpus_hash = pack.content_hash or tables.pack_hash, corpus_hash(list(items.values()))
    store.save_meta(RunMeta(month=pack.config.month, template_id=template.id, template_hash=template.content_hash,
                            engine=job.engine.name, pack_dir=str(pack_dir),
                            corpus_path=str(corpus_path if corpus_path is not None else manifest.path),
                            pack_hash=job.pack_hash, corpus_hash=job.corpus_hash, store_dir=str(settings.store_dir),
                            values=job.values, report_fields={
                                "config": pack.config.model_dump(mode="json"),
                                "outline": outline.model_dump(mode="json") if outline is not None else None}))
    todo, kept = plan_sections(job, store, sections, force)
    outcomes = draft_sections(job, todo, kept)
    report = _report(job, outcomes, job.engine.name)
    store.save_sources(report.sources)
    report.checks = _run_checks(report, items, pack, tables)
    report.checks += unused_items(report, items, job.window, template)  # nothing of the month lost silently
    progress(ProgressEvent("export", "写出 report.md / report.docx / report.json"))
    write_report(report, out_dir)
    progress(ProgressEvent("export", f"已写出 {out_dir}", status="ok"))
    return report


def _job(settings: Settings, template: ReportTemplate, tables: TableSet, config: PackConfig, out_dir: Path,
         count: Callable[[str], int], progress: ProgressCallback, store: StageStore | None) -> DraftJob:
    engine = make_engine(settings, out_dir, count)
    return DraftJob(template=template, tables=tables, values=report_values(config, tables),
                    window=month_window(config.month), engine=engine, count=count,
                    config=config, context_tokens=settings.context_tokens, max_concurrency=settings.max_concurrency,
                    section_timeout_s=_section_timeout(settings, template), store=store, progress=progress,
                    # the engine asked the server for its context (issue 24); the setting otherwise
                    context_window=getattr(engine, "context", None) or _context_window(settings))


def _context_window(settings: Settings) -> int | None:
    if settings.resolved_engine != "openai":
        return None
    from assistant.llm.budget import context_window

    return context_window(settings)


def _section_timeout(settings: Settings, template: ReportTemplate) -> float:
    if settings.section_timeout_s:
        return settings.section_timeout_s
    if settings.resolved_engine != "openai":
        return 300.0
    from assistant.llm.budget import section_deadline_s

    return max(section_deadline_s(settings, s.budget_tokens) for s in template.sections)


def regenerate_section(out_dir: Path, section_id: str, instruction: str, settings: Settings, *,
                       current_markdown: str | None = None) -> SectionDraft:
    """Re-draft one section of an already drafted report with an editor's instruction.

    Reuses the persisted tables, retrieval and dependency drafts. The returned draft uses report-global markers;
    sources it newly cites are appended to ``stages/sources.json``. The persisted draft itself is not replaced:
    that is the editor's decision.
    """
    from assistant.tokens import count_tokens

    store = StageStore(Path(out_dir))
    meta, tables = store.load_meta(), store.load_tables()
    if meta is None or tables is None:
        raise DraftingError(f"{out_dir} 中没有起草阶段文件（stages/meta.json, stages/tables.json），请先运行 draft")
    saved = meta.report_fields.get("outline")
    outline = Outline.model_validate(saved) if saved else None
    template = with_outline(load_template(settings.template if settings.template != "monthly_ai" else meta.template_id),
                            outline)
    spec = template.section(section_id)
    config = PackConfig.model_validate(meta.report_fields["config"])
    job = _job(settings, template, tables, config, Path(out_dir), count_tokens, null_progress, None)
    job.pack_hash, job.corpus_hash = meta.pack_hash, meta.corpus_hash
    prior = store.load_retrieval(section_id)
    if spec.retrieval and prior is None:
        from assistant.retrieval import open_retriever
        from assistant.store.ingest import REPORT_FILE, corpus_doc_ids

        retriever = open_retriever(settings.model_copy(update={"store_dir": Path(meta.store_dir)}))
        own = corpus_doc_ids(Path(out_dir) / REPORT_FILE)  # absent only in folders drafted before it was written
        job.retriever = retriever if own is None else retriever.scoped(own)
    deps = {}
    for dep in spec.depends_on:
        draft, record = store.load_draft(dep), store.load_retrieval(dep)
        if draft is not None:
            deps[dep] = SectionOutcome(draft, record) if record else SectionOutcome(draft)
    outcome = run_section(job, spec, deps, editing=parse_instruction(instruction, current_markdown), prior=prior)
    (draft,), sources = globalise([outcome.draft], {section_id: outcome.record.packed}, store.load_sources())
    if current_markdown is not None and " ".join(draft.markdown.split()) == " ".join(current_markdown.split()):
        # an unchanged "suggestion" would look like the instruction was honoured; say plainly that it was not
        raise DraftingError(f"按指令“{instruction}”重新生成的结果与当前版本相同：本章（{spec.title}）没有可按此指令"
                            "缩短或调整的内容。请直接编辑正文，或换一条指令（模型引擎可执行更多指令）。")
    store.save_sources(sources)
    return draft
