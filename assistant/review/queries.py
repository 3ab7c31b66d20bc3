"""Read side of the review service: reports, sections, versions, reviews, sources and the audit log."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from assistant.errors import ReviewError
from assistant.models import Citation, Report
from assistant.review import audit
from assistant.review.db import ReportRow, Review, Section, SectionVersion, Source, User
from assistant.review.views import (
    AuditEntry,
    ReportState,
    ReportSummary,
    ReviewView,
    SectionView,
    SourceView,
    VersionView,
)

__all__ = ["Queries"]


class Queries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # ------------------------------------------------------------------ reports
    def list_reports(self) -> list[ReportSummary]:
        approved = func.sum(case((Section.status == "approved", 1), else_=0))
        query = (select(ReportRow, func.count(Section.id), approved)
                 .outerjoin(Section, Section.report_id == ReportRow.id)
                 .where(ReportRow.replaced_at.is_(None))
                 .group_by(ReportRow.id).order_by(ReportRow.id.desc()))
        with self._sessions() as session:
            return [
                ReportSummary(id=r.id, month=r.month, title=r.title, engine=r.engine, out_dir=r.out_dir,
                              created_at=r.created_at, section_count=n, approved_count=int(a or 0))
                for r, n, a in session.execute(query)
            ]

    def report(self, report_id: int) -> Report:
        """The report as imported (``report.json`` snapshot)."""
        with self._sessions() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReviewError(f"报告 {report_id} 不存在")
            return Report.model_validate(row.snapshot)

    def out_dir(self, report_id: int) -> str:
        with self._sessions() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReviewError(f"报告 {report_id} 不存在")
            return row.out_dir

    def report_state(self, report_id: int) -> ReportState:
        with self._sessions() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReviewError(f"报告 {report_id} 不存在")
            signer = session.get(User, row.signed_off_by) if row.signed_off_by else None
            return ReportState(report_id=report_id, sections=self._sections(session, report_id),
                               signed_off_by=signer.name if signer else None, signed_off_at=row.signed_off_at)

    # ------------------------------------------------------------------ sections and versions
    @staticmethod
    def _sections(session: Session, report_id: int | None = None, section_pk: int | None = None,
                  ) -> list[SectionView]:
        holder, author = aliased(User), aliased(User)
        query = (select(Section, SectionVersion, holder.name, author.name)
                 .join(SectionVersion, (SectionVersion.section_pk == Section.id)
                       & (SectionVersion.number == Section.current_version))
                 .outerjoin(holder, holder.id == Section.holder_id)
                 .outerjoin(author, author.id == SectionVersion.author_id)
                 .order_by(Section.order))
        if report_id is not None:
            query = query.where(Section.report_id == report_id)
        if section_pk is not None:
            query = query.where(Section.id == section_pk)
        return [
            SectionView(pk=s.id, report_id=s.report_id, section_id=s.section_id, title=s.title, order=s.order,
                        status=s.status, current_version=s.current_version, lock_version=s.lock_version,
                        holder=h, markdown=v.markdown, citations=[Citation(**c) for c in v.citations],
                        origin=v.origin, author=a)
            for s, v, h, a in session.execute(query)
        ]

    def sections(self, report_id: int) -> list[SectionView]:
        with self._sessions() as session:
            return self._sections(session, report_id=report_id)

    def section(self, section_pk: int) -> SectionView:
        with self._sessions() as session:
            found = self._sections(session, section_pk=section_pk)
        if not found:
            raise ReviewError(f"章节 {section_pk} 不存在")
        return found[0]

    def find_section(self, report_id: int, section_id: str) -> SectionView:
        for section in self.sections(report_id):
            if section.section_id == section_id:
                return section
        raise ReviewError(f"报告 {report_id} 中没有章节 {section_id}")

    @staticmethod
    def _version_view(session: Session, v: SectionVersion) -> VersionView:
        author = session.get(User, v.author_id) if v.author_id else None
        return VersionView(number=v.number, markdown=v.markdown, citations=[Citation(**c) for c in v.citations],
                           author=author.name if author else None, origin=v.origin, instruction=v.instruction,
                           provenance=v.provenance, created_at=v.created_at)

    def versions(self, section_pk: int) -> list[VersionView]:
        with self._sessions() as session:
            rows = session.scalars(select(SectionVersion).where(SectionVersion.section_pk == section_pk)
                                   .order_by(SectionVersion.number))
            return [self._version_view(session, v) for v in rows]

    def version_numbers(self, section_pk: int) -> list[int]:
        with self._sessions() as session:
            return list(session.scalars(select(SectionVersion.number)
                                        .where(SectionVersion.section_pk == section_pk)
                                        .order_by(SectionVersion.number)))

    def version(self, section_pk: int, number: int) -> VersionView:
        with self._sessions() as session:
            row = session.scalar(select(SectionVersion).where(SectionVersion.section_pk == section_pk,
                                                              SectionVersion.number == number))
            if row is None:
                raise ReviewError(f"章节 {section_pk} 没有版本 v{number}")
            return self._version_view(session, row)

    def reviews(self, section_pk: int) -> list[ReviewView]:
        query = (select(Review, User.name).join(User, User.id == Review.reviewer_id)
                 .where(Review.section_pk == section_pk).order_by(Review.id))
        with self._sessions() as session:
            return [ReviewView(version_number=r.version_number, reviewer=name, decision=r.decision,
                               comment=r.comment, created_at=r.created_at)
                    for r, name in session.execute(query)]

    # ------------------------------------------------------------------ sources and audit
    def sources(self, report_id: int, markers: list[int] | None = None) -> list[SourceView]:
        query = select(Source).where(Source.report_id == report_id).order_by(Source.marker)
        if markers is not None:
            query = query.where(Source.marker.in_(markers))
        with self._sessions() as session:
            return [SourceView(marker=s.marker, doc_id=s.doc_id, title=s.title, date=s.date,
                               publisher=s.publisher, url=s.url, passage=s.passage, background=s.background)
                    for s in session.scalars(query)]

    def section_sources(self, section: SectionView) -> list[SourceView]:
        """The sources the section's current text cites, in the order they are first cited."""
        order = [c.marker for c in section.citations]
        found = {s.marker: s for s in self.sources(section.report_id, order)}
        return [found[m] for m in order if m in found]

    def audit_log(self, *, object_type: str | None = None, object_id: str | int | None = None,
                  limit: int = 200) -> list[AuditEntry]:
        with self._sessions() as session:
            return audit.list_entries(session, object_type=object_type, object_id=object_id, limit=limit)
