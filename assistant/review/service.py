"""The review service: every read and write of the review workflow, with roles enforced here (not in the UI).

Each mutating call runs in one transaction together with its audit-log entry. Section saves use optimistic
locking: the caller names the version it edited (``base_version``); if anyone saved since, the save is refused
with ``ConcurrentEditError`` carrying the other editor's version, and nothing is lost.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.errors import AssistantError, ConcurrentEditError, ReviewError
from assistant.models import Citation, Report, SectionDraft
from assistant.review import audit
from assistant.review.database import init_db
from assistant.review.db import ReportRow, Review, Section, SectionVersion, Source, User, utcnow
from assistant.review.diffing import VersionDiff, diff_texts
from assistant.review.importing import engine_sources, read_report_json, report_rows, source_row
from assistant.review.policy import can_export, cited_markers
from assistant.review.queries import Queries
from assistant.review.users import acting_user, user_view
from assistant.review.views import ExportGate, ReviewView, SectionView, UserView, VersionView
from assistant.safety import strip_control
from assistant.settings import Settings, get_settings

__all__ = ["DECISION_STATUS", "RegenerateFn", "ReviewService"]

RegenerateFn = Callable[..., SectionDraft]
DECISION_STATUS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}


class ReviewService(Queries):
    """Mutations of the review store. Reads come from :class:`Queries`."""

    def __init__(self, engine: Engine, *, settings: Settings | None = None,
                 regenerate_fn: RegenerateFn | None = None) -> None:
        super().__init__(sessionmaker(engine, expire_on_commit=False))
        self.engine = engine
        self._settings = settings
        self._regenerate_fn = regenerate_fn

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> ReviewService:
        """Open (and migrate to head) the store at ``url``."""
        return cls(init_db(url), **kwargs)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _section_row(session: Session, section_pk: int) -> Section:
        section = session.get(Section, section_pk)
        if section is None:
            raise ReviewError(f"章节 {section_pk} 不存在")
        return section

    # ------------------------------------------------------------------ import
    def import_report(self, out_dir: Path | str, user: UserView | None) -> int:
        """Import ``out_dir/report.json``: version 1 (origin drafted) of each section. Returns the report id.

        ``user=None`` is the local operator of the ``load`` CLI (recorded as ``system`` in the audit log).
        """
        report = read_report_json(Path(out_dir))
        return self.import_report_model(report, str(Path(out_dir).resolve()), user)

    def import_report_model(self, report: Report, out_dir: str, user: UserView | None) -> int:
        markers = [s.marker for s in report.sources]
        if len(markers) != len(set(markers)):
            raise ReviewError("report.json 的 sources 中有重复的引用标记")
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "import") if user is not None else None
            row, sections, sources = report_rows(report, out_dir, actor.id if actor else None)
            session.add(row)
            session.flush()
            for source in sources:
                source.report_id = row.id
                session.add(source)
            for section, version in sections:
                section.report_id = row.id
                session.add(section)
                session.flush()
                version.section_pk = section.id
                session.add(version)
            audit.record(session, actor, "import", "report", row.id, after=1, out_dir=out_dir,
                         sections=len(sections), sources=len(sources))
            return row.id

    # ------------------------------------------------------------------ editing
    def begin_edit(self, section_pk: int, user: UserView) -> SectionView:
        """Mark the user as the one currently editing (shown to others; saving is still optimistic)."""
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "edit")
            section = self._section_row(session, section_pk)
            section.holder_id, section.held_since = actor.id, utcnow()
            audit.record(session, actor, "begin_edit", "section", section_pk, before=section.current_version)
        return self.section(section_pk)

    def release(self, section_pk: int, user: UserView) -> None:
        with self._sessions.begin() as session:
            section = self._section_row(session, section_pk)
            if section.holder_id == user.id:
                section.holder_id, section.held_since = None, None

    def release_holds(self, user: UserView) -> list[int]:
        """Drop every "currently editing" mark the user holds (on sign-out). Returns the released section pks.

        No role check: a user whose role or account changed must still be able to let go of what they hold. The
        hold is advisory, so the section's lock version is left alone: an editor saving meanwhile is not refused.
        """
        with self._sessions.begin() as session:
            row = session.get(User, user.id)
            if row is None:
                return []
            released = session.execute(
                update(Section).where(Section.holder_id == row.id).values(holder_id=None, held_since=None)
                .returning(Section.id, Section.current_version).execution_options(synchronize_session=False),
            ).all()
            actor = user_view(row)
            for pk, version in sorted(released):
                audit.record(session, actor, "release_edit", "section", pk, before=version, reason="sign_out")
            return sorted(pk for pk, _version in released)

    def save_edit(self, section_pk: int, base_version: int, markdown: str, user: UserView) -> VersionView:
        """Store ``markdown`` as a new version (origin edited) if ``base_version`` is still the current one."""
        markdown, removed = strip_control(markdown)  # a vertical tab pasted from Word would break the export
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "edit")
                section = self._section_row(session, section_pk)
                citations = self._citations_for(session, section.report_id, markdown)
                view = self._add_version(session, section, base_version, actor, markdown=markdown,
                                         citations=citations, origin="edited")
                if removed:
                    audit.record(session, actor, "control_characters_removed", "section", section.id,
                                 after=view.number, count=removed)
                return view
        except (StaleDataError, IntegrityError) as exc:
            raise self._conflict(section_pk, base_version) from exc

    def _citations_for(self, session: Session, report_id: int, markdown: str) -> list[Citation]:
        known = dict(session.execute(
            select(Source.marker, Source.doc_id).where(Source.report_id == report_id)).all())
        markers = cited_markers(markdown)
        unknown = [m for m in markers if m not in known]
        if unknown:
            listed = "、".join(f"[{m}]" for m in unknown)
            raise ReviewError(f"引用标记 {listed} 在本报告的来源中不存在；请改用已有来源的编号")
        return [Citation(marker=m, doc_id=known[m]) for m in markers]

    def _add_version(self, session: Session, section: Section, base_version: int, actor: UserView, *,
                     markdown: str, citations: list[Citation], origin: str, instruction: str | None = None,
                     provenance: dict[str, Any] | None = None) -> VersionView:
        if section.current_version != base_version:
            raise self._conflict_in(session, section, base_version)
        number = base_version + 1
        version = SectionVersion(section_pk=section.id, number=number, markdown=markdown, author_id=actor.id,
                                 citations=[c.model_dump(mode="json") for c in citations], origin=origin,
                                 instruction=instruction, provenance=provenance)
        session.add(version)
        previous_status = section.status
        section.current_version, section.status = number, "draft"
        if section.holder_id == actor.id:
            section.holder_id, section.held_since = None, None
        session.flush()  # raises StaleDataError when another transaction saved this section meanwhile
        audit.record(session, actor, origin if origin != "edited" else "edit", "section", section.id,
                     before=base_version, after=number, previous_status=previous_status,
                     reopened=previous_status == "approved", instruction=instruction)
        return self._version_view(session, version)

    def _conflict_in(self, session: Session, section: Section, base_version: int) -> ConcurrentEditError:
        current = session.scalar(select(SectionVersion).where(
            SectionVersion.section_pk == section.id, SectionVersion.number == section.current_version))
        author = session.get(User, current.author_id) if current and current.author_id else None
        name = author.name if author else "系统"
        return ConcurrentEditError(
            f"保存被拒绝：你编辑的是 v{base_version}，但 {name} 已保存了 v{section.current_version}。"
            "你的文本未丢失，请对照对方的版本合并后再保存。",
            current_version=section.current_version,
            current_markdown=current.markdown if current else None,
            current_author=name,
        )

    def _conflict(self, section_pk: int, base_version: int) -> ConcurrentEditError:
        with self._sessions() as session:
            return self._conflict_in(session, self._section_row(session, section_pk), base_version)

    # ------------------------------------------------------------------ regenerate
    def regenerate(self, section_pk: int, instruction: str, user: UserView) -> VersionView:
        """Ask the drafting engine for a new text of the section; stored as a new version (origin regenerated)."""
        with self._sessions() as session:
            acting_user(session, user, "regenerate")
            section = self._section_row(session, section_pk)
            report = session.get_one(ReportRow, section.report_id)
            base, section_id, out_dir = section.current_version, section.section_id, report.out_dir
            current = self.version(section_pk, base).markdown
        try:
            draft = self._regenerate_callable()(Path(out_dir), section_id, instruction, self._settings_obj(),
                                                current_markdown=current)
        except ReviewError:
            raise
        except AssistantError as exc:  # drafting/model errors reach the editor as one review-level message
            raise ReviewError(f"重新生成失败：{exc}") from exc
        if draft.error or draft.status == "failed":
            raise ReviewError(f"重新生成失败：{draft.error or '起草引擎未返回正文'}")
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "regenerate")
                section = self._section_row(session, section_pk)
                self._add_missing_sources(session, section.report_id, out_dir, draft)
                citations = self._citations_for(session, section.report_id, draft.markdown)
                provenance = draft.provenance.model_dump(mode="json") if draft.provenance else None
                return self._add_version(session, section, base, actor, markdown=draft.markdown,
                                         citations=citations, origin="regenerated", instruction=instruction,
                                         provenance=provenance)
        except (StaleDataError, IntegrityError) as exc:
            raise self._conflict(section_pk, base) from exc

    def _regenerate_callable(self) -> RegenerateFn:
        if self._regenerate_fn is not None:
            return self._regenerate_fn
        try:
            fn: RegenerateFn = importlib.import_module("assistant.drafting").regenerate_section
        except (ImportError, AttributeError) as exc:
            raise ReviewError("起草引擎（assistant.drafting）不可用，无法重新生成") from exc
        return fn

    def _settings_obj(self) -> Settings:
        return self._settings or get_settings()

    @staticmethod
    def _add_missing_sources(session: Session, report_id: int, out_dir: str, draft: SectionDraft) -> None:
        """A regenerated text may cite sources new to the report; the engine records them under out_dir."""
        have = set(session.scalars(select(Source.marker).where(Source.report_id == report_id)))
        wanted = {c.marker for c in draft.citations} - have
        if not wanted:
            return
        for ref in engine_sources(Path(out_dir)):
            if ref.marker in wanted:
                row = source_row(ref)
                row.report_id = report_id
                session.add(row)
                wanted.discard(ref.marker)
        session.flush()

    # ------------------------------------------------------------------ review decisions
    def approve(self, section_pk: int, version: int, user: UserView, comment: str = "") -> ReviewView:
        return self.decide(section_pk, version, "approve", user, comment)

    def reject(self, section_pk: int, version: int, user: UserView, comment: str) -> ReviewView:
        return self.decide(section_pk, version, "reject", user, comment)

    def request_changes(self, section_pk: int, version: int, user: UserView, comment: str) -> ReviewView:
        return self.decide(section_pk, version, "request_changes", user, comment)

    def decide(self, section_pk: int, version: int, decision: str, user: UserView, comment: str = "") -> ReviewView:
        """Record a decision on one exact version; deciding on anything but the current version is refused."""
        if decision not in DECISION_STATUS:
            raise ReviewError(f"未知的审批决定 {decision!r}")
        if decision != "approve" and not comment.strip():
            raise ReviewError("驳回或要求修改时必须填写意见")
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "review")
                section = self._section_row(session, section_pk)
                if version != section.current_version:
                    raise ReviewError(f"只能审批当前版本 v{section.current_version}，v{version} 已过时")
                review = Review(section_pk=section_pk, version_number=version, reviewer_id=actor.id,
                                decision=decision, comment=comment.strip())
                session.add(review)
                previous = section.status
                section.status = DECISION_STATUS[decision]
                session.flush()
                audit.record(session, actor, decision, "section", section_pk, before=version, after=version,
                             previous_status=previous, comment=comment.strip())
                return ReviewView(version_number=version, reviewer=actor.name, decision=decision,
                                  comment=review.comment, created_at=review.created_at)
        except StaleDataError as exc:
            raise ReviewError("章节刚被他人修改，请刷新后再审批") from exc

    # ------------------------------------------------------------------ diff and export
    def diff(self, section_pk: int, old: int, new: int) -> VersionDiff:
        return diff_texts(self.version(section_pk, old).markdown, self.version(section_pk, new).markdown,
                          old_version=old, new_version=new)

    def export_gate(self, report_id: int) -> ExportGate:
        return can_export(self.report_state(report_id))

    def final_report(self, report_id: int, user: UserView) -> Report:
        """The report with every section's approved text, for export. Refused unless ``can_export`` allows."""
        gate = self.export_gate(report_id)
        if not gate.allowed:
            raise ReviewError("尚不能导出：" + "；".join(gate.blockers))
        report = self.report(report_id)
        by_id = {s.section_id: s for s in self.sections(report_id)}
        sections = [
            d.model_copy(update={"markdown": by_id[d.id].markdown, "citations": by_id[d.id].citations,
                                 "status": "approved", "error": None})
            for d in report.sections if d.id in by_id
        ]
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "export")
            versions = {s.section_id: s.current_version for s in by_id.values()}
            audit.record(session, actor, "export", "report", report_id, versions=versions)
        return report.model_copy(update={"sections": sections})

    def count_versions(self, section_pk: int) -> int:
        with self._sessions() as session:
            return int(session.scalar(
                select(func.count()).select_from(SectionVersion).where(SectionVersion.section_pk == section_pk))
                or 0)
