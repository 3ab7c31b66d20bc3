"""The editor's workspace on top of the review store: regenerate suggestions, unsaved edits, restore, the inbox.

A suggestion is a regenerated text that becomes a section version only when an editor accepts it; accepting
follows the same lost-update rule as a save (it must still be based on the current version). Unsaved edits are
kept per user and section so a page change, a reload or a sign-out never loses typed text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from assistant.errors import ReviewError
from assistant.review import audit
from assistant.review.db import (
    AuditLog,
    EditDraft,
    FindingRow,
    ReportRow,
    Review,
    Section,
    SectionVersion,
    Signoff,
    SuggestionRow,
    User,
    utcnow,
)
from assistant.review.policy import allowed, cited_markers
from assistant.review.users import acting_user
from assistant.review.views import DraftView, InboxItem, SuggestionView, UserView, VersionView
from assistant.review.writes import Writes

__all__ = ["Workspace"]

_INBOX_LIMIT = 30


def _suggestion_view(row: SuggestionRow, author: str | None) -> SuggestionView:
    return SuggestionView(id=row.id, section_pk=row.section_pk, base_version=row.base_version,
                          markdown=row.markdown, instruction=row.instruction, engine=row.engine, job_id=row.job_id,
                          author=author, status=row.status, reason=row.reason, version_number=row.version_number,
                          created_at=row.created_at)


class Workspace(Writes):
    # ------------------------------------------------------------------ suggestions
    def suggest(self, section_pk: int, *, base_version: int, markdown: str, instruction: str, engine: str,
                user: UserView, job_id: str | None = None,
                provenance: dict[str, Any] | None = None) -> SuggestionView:
        """Store a regenerated text as an open suggestion; it does not make a version."""
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "regenerate")
            section = self._section_row(session, section_pk)
            report = session.get_one(ReportRow, section.report_id)
            self._check_length(session, markdown)
            self._add_missing_sources(session, section.report_id, report.out_dir, cited_markers(markdown))
            self._citations_for(session, section.report_id, markdown)  # refuse unknown markers now, not on accept
            row = SuggestionRow(section_pk=section_pk, base_version=base_version, markdown=markdown,
                                instruction=instruction, engine=engine, job_id=job_id, author_id=actor.id, provenance=provenance,
                                status="open", created_at=utcnow())
            session.add(row)
            session.flush()
            audit.record(session, actor, "suggest", "section", section_pk, before=base_version,
                         suggestion=row.id, instruction=instruction, engine=engine, job_id=job_id)
            return _suggestion_view(row, actor.name)

    def open_suggestions(self, section_pk: int) -> list[SuggestionView]:
        query = (select(SuggestionRow, User.name).outerjoin(User, User.id == SuggestionRow.author_id)
                 .where(SuggestionRow.section_pk == section_pk, SuggestionRow.status == "open")
                 .order_by(SuggestionRow.id.desc()))
        with self._sessions() as session:
            return [_suggestion_view(row, name) for row, name in session.execute(query)]

    def suggestion(self, suggestion_id: int) -> SuggestionView:
        with self._sessions() as session:
            row = session.get(SuggestionRow, suggestion_id)
            if row is None:
                raise ReviewError(f"建议 {suggestion_id} 不存在")
            author = session.get(User, row.author_id) if row.author_id else None
            return _suggestion_view(row, author.name if author else None)

    @staticmethod
    def _open_row(session: Session, suggestion_id: int) -> SuggestionRow:
        row = session.get(SuggestionRow, suggestion_id)
        if row is None:
            raise ReviewError(f"建议 {suggestion_id} 不存在")
        if row.status != "open":
            raise ReviewError(f"建议 {suggestion_id} 已处理（{row.status}）")
        return row

    def accept_suggestion(self, suggestion_id: int, user: UserView) -> VersionView:
        """Make the suggestion the section's new version (origin regenerated). Refused with
        ``ConcurrentEditError`` when the section changed since the suggestion's base version."""
        section_pk = base = 0
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "edit")
                row = self._open_row(session, suggestion_id)
                section_pk, base = row.section_pk, row.base_version
                section = self._section_row(session, row.section_pk)
                citations = self._citations_for(session, section.report_id, row.markdown)
                version = self._add_version(session, section, row.base_version, actor, markdown=row.markdown,
                                            citations=citations, origin="regenerated", instruction=row.instruction,
                                            provenance=row.provenance, action="accept_suggestion",
                                            suggestion=row.id, engine=row.engine)
                row.status, row.decided_by, row.decided_at = "accepted", actor.id, utcnow()
                row.version_number = version.number
                return version
        except (StaleDataError, IntegrityError) as exc:
            raise self._conflict(section_pk, base) from exc

    def reject_suggestion(self, suggestion_id: int, user: UserView, reason: str = "") -> None:
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "edit")
            row = self._open_row(session, suggestion_id)
            row.status, row.decided_by, row.decided_at = "rejected", actor.id, utcnow()
            row.reason = reason.strip() or None
            audit.record(session, actor, "reject_suggestion", "section", row.section_pk, before=row.base_version,
                         suggestion=row.id, reason=reason.strip())

    # ------------------------------------------------------------------ unsaved edits
    def keep_draft(self, section_pk: int, base_version: int, markdown: str, user: UserView) -> None:
        """Remember the user's unsaved text (one per user and section); not a version, not audited."""
        with self._sessions.begin() as session:
            acting_user(session, user, "edit")
            row = session.scalar(select(EditDraft).where(EditDraft.user_id == user.id,
                                                         EditDraft.section_pk == section_pk))
            if row is None:
                session.add(EditDraft(user_id=user.id, section_pk=section_pk, base_version=base_version,
                                      markdown=markdown, updated_at=utcnow()))
            else:
                row.base_version, row.markdown, row.updated_at = base_version, markdown, utcnow()

    def kept_draft(self, section_pk: int, user: UserView) -> DraftView | None:
        with self._sessions() as session:
            row = session.scalar(select(EditDraft).where(EditDraft.user_id == user.id,
                                                         EditDraft.section_pk == section_pk))
            return None if row is None else DraftView(section_pk=section_pk, base_version=row.base_version,
                                                      markdown=row.markdown, updated_at=row.updated_at)

    def discard_draft(self, section_pk: int, user: UserView) -> None:
        with self._sessions.begin() as session:
            self._drop_draft(session, section_pk, user.id)

    @staticmethod
    def _drop_draft(session: Session, section_pk: int, user_id: int) -> None:
        session.execute(delete(EditDraft).where(EditDraft.user_id == user_id, EditDraft.section_pk == section_pk))

    # ------------------------------------------------------------------ restore
    def restore(self, section_pk: int, number: int, base_version: int, user: UserView) -> VersionView:
        """Make the text of version ``number`` the newest version again (a new version; audited as restore)."""
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "edit")
                section = self._section_row(session, section_pk)
                old = session.scalar(select(SectionVersion).where(SectionVersion.section_pk == section_pk,
                                                                  SectionVersion.number == number))
                if old is None:
                    raise ReviewError(f"章节 {section_pk} 没有版本 v{number}")
                current = session.scalar(select(SectionVersion.markdown).where(
                    SectionVersion.section_pk == section_pk, SectionVersion.number == section.current_version))
                if current == old.markdown:
                    raise ReviewError(f"v{number} 与当前版本 v{section.current_version} 内容相同，无需恢复")
                citations = self._citations_for(session, section.report_id, old.markdown)
                return self._add_version(session, section, base_version, actor, markdown=old.markdown,
                                         citations=citations, origin="edited", instruction=f"恢复 v{number}",
                                         provenance={"restored_from": number}, action="restore",
                                         restored_from=number)
        except (StaleDataError, IntegrityError) as exc:
            raise self._conflict(section_pk, base_version) from exc

    # ------------------------------------------------------------------ inbox
    def inbox(self, user: UserView) -> list[InboxItem]:
        """What awaits the user: sections sent back, sections to approve, suggestions, unsaved edits, open
        blocking findings and voided sign-offs, by role."""
        with self._sessions() as session:
            items: list[InboxItem] = []
            if allowed(user, "edit"):
                items += self._sent_back(session)
                items += self._pending_suggestions(session)
                items += self._unsaved(session, user)
            if allowed(user, "review"):
                items += self._to_approve(session, user)
            if user.role in ("compliance", "admin"):
                items += self._findings(session)
                items += self._voided(session)
            return items

    @staticmethod
    def _sent_back(session: Session) -> list[InboxItem]:
        last = (select(Review.section_pk, func.max(Review.id).label("rid"))
                .where(Review.decision != "approve").group_by(Review.section_pk).subquery())
        query = (select(Section, Review, User.name).join(last, last.c.section_pk == Section.id)
                 .join(Review, Review.id == last.c.rid).join(User, User.id == Review.reviewer_id)
                 .where(Section.status.in_(("changes_requested", "rejected")))
                 .order_by(Review.id.desc()).limit(_INBOX_LIMIT))
        return [InboxItem(kind="sent_back", report_id=s.report_id, section_pk=s.id, title=s.title or s.section_id,
                          detail=f"{name}（v{r.version_number}）：{r.comment}", created_at=r.created_at)
                for s, r, name in session.execute(query)]

    @staticmethod
    def _pending_suggestions(session: Session) -> list[InboxItem]:
        query = (select(SuggestionRow, Section).join(Section, Section.id == SuggestionRow.section_pk)
                 .where(SuggestionRow.status == "open").order_by(SuggestionRow.id.desc()).limit(_INBOX_LIMIT))
        return [InboxItem(kind="suggestion", report_id=s.report_id, section_pk=s.id, title=s.title or s.section_id,
                          detail=f"重新生成建议（指令：{g.instruction}，基于 v{g.base_version}）待采纳或拒绝",
                          created_at=g.created_at)
                for g, s in session.execute(query)]

    @staticmethod
    def _unsaved(session: Session, user: UserView) -> list[InboxItem]:
        query = (select(EditDraft, Section).join(Section, Section.id == EditDraft.section_pk)
                 .where(EditDraft.user_id == user.id).order_by(EditDraft.updated_at.desc()))
        return [InboxItem(kind="unsaved", report_id=s.report_id, section_pk=s.id, title=s.title or s.section_id,
                          detail=f"你有未保存的编辑（基于 v{d.base_version}，{len(d.markdown)} 字）",
                          created_at=d.updated_at)
                for d, s in session.execute(query)]

    def _to_approve(self, session: Session, user: UserView) -> list[InboxItem]:
        author = aliased(User)
        query = (select(Section, author.id, author.name)
                 .join(SectionVersion, (SectionVersion.section_pk == Section.id)
                       & (SectionVersion.number == Section.current_version))
                 .outerjoin(author, author.id == SectionVersion.author_id)
                 .where(Section.status == "draft").order_by(Section.report_id.desc(), Section.order))
        four_eyes = bool(self._setting(session, "four_eyes"))
        items = [InboxItem(kind="to_approve", report_id=s.report_id, section_pk=s.id, title=s.title or s.section_id,
                           detail=f"v{s.current_version}（{name or '系统'}）待审批")
                 for s, author_id, name in session.execute(query) if not (four_eyes and author_id == user.id)]
        return items[:_INBOX_LIMIT]

    @staticmethod
    def _findings(session: Session) -> list[InboxItem]:
        query = (select(FindingRow.report_id, ReportRow.title, func.count()).join(
            ReportRow, ReportRow.id == FindingRow.report_id)
                 .where(FindingRow.status == "open", FindingRow.severity == "blocking")
                 .group_by(FindingRow.report_id, ReportRow.title))
        return [InboxItem(kind="findings", report_id=rid, title=title, detail=f"{n} 个阻断问题待处理")
                for rid, title, n in session.execute(query)]

    @staticmethod
    def _voided(session: Session) -> list[InboxItem]:
        signed = select(Signoff.report_id).distinct()
        query = (select(ReportRow, func.max(AuditLog.created_at))
                 .join(AuditLog, (AuditLog.object_type == "report")
                       & (AuditLog.object_id == func.cast(ReportRow.id, AuditLog.object_id.type))
                       & (AuditLog.action == "signoff_invalidated"))
                 .where(ReportRow.signed_off_by.is_(None), ReportRow.id.in_(signed)).group_by(ReportRow.id))
        return [InboxItem(kind="signoff_voided", report_id=r.id, title=r.title,
                          detail="合规签字已因章节新版本或退回而失效，需重新检查并签字", created_at=at)
                for r, at in session.execute(query)]
