"""The compliance side of the review workflow: findings, their resolution, sending a section back to its
editor, re-running the checks on the current texts, and the sign-off the export gate requires.

Roles are enforced here (``policy.PERMISSIONS``): only compliance resolves, sends back and signs off; compliance
and admin may re-run the checks. Every mutation commits together with its audit-log entry. What a check run
reads and compares (current texts, evidence, new findings) lives in :mod:`assistant.review.rechecking`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.errors import ReviewError
from assistant.models import Report
from assistant.review import audit
from assistant.review.checking import store_checks
from assistant.review.db import (
    AuditLog,
    FindingRow,
    ReportRow,
    Review,
    Section,
    SectionVersion,
    Signoff,
    User,
    utcnow,
)
from assistant.review.labels import kind_label
from assistant.review.policy import can_sign_off
from assistant.review.rechecking import CheckFn, current_report, default_checks, drafted_texts, reconcile
from assistant.review.signing import version_hashes
from assistant.review.statefns import resolve_finding, set_section_state
from assistant.review.users import acting_user
from assistant.review.views import ExportGate, SectionView, UserView

if TYPE_CHECKING:
    from assistant.review.service import ReviewService

__all__ = ["CheckFn", "ComplianceService", "FindingView", "RerunResult", "SentBack", "SignoffState",
           "SignoffView", "open_counts"]

_SEVERITY_RANK = {"blocking": 0, "warning": 1, "info": 2}


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class FindingView(_View):
    id: int
    report_id: int
    section_id: str
    version: int | None = None
    kind: str
    severity: str
    sentence: str = ""
    evidence: str = ""
    detail: str = ""
    marker: int | None = None
    status: str = "open"
    resolved_by: str | None = None
    reason: str | None = None
    resolved_at: dt.datetime | None = None


class SignoffView(_View):
    id: int
    report_id: int
    user: str
    comment: str
    versions: dict[str, int]
    created_at: dt.datetime
    valid: bool


class SignoffState(_View):
    """The valid sign-off (if any) and whether compliance may sign off now (``gate.blockers`` say why not)."""

    current: SignoffView | None
    gate: ExportGate
    checked_versions: dict[str, int] = Field(default_factory=dict)


class RerunResult(_View):
    opened: int
    kept_resolved: int
    versions: dict[str, int]
    corpus: str | None  # the corpus file the citations were checked against; None: the stored passages
    note: str = ""


class SentBack(_View):
    section_pk: int
    section_id: str
    version: int
    editor: str | None
    comment: str


def open_counts(findings: list[FindingView]) -> dict[str, Counter[str]]:
    """Open findings per section id, counted by severity."""
    counts: dict[str, Counter[str]] = {}
    for f in findings:
        if f.status == "open":
            counts.setdefault(f.section_id, Counter())[f.severity] += 1
    return counts


def _section_views(session: Session, report_id: int, *, lock: bool = False) -> list[SectionView]:
    query = select(Section).where(Section.report_id == report_id).order_by(Section.order)
    if lock:  # a concurrent save must wait for the sign-off to commit, so its trigger sees and voids it
        query = query.with_for_update()
    return [SectionView(pk=s.id, report_id=s.report_id, section_id=s.section_id, title=s.title, order=s.order,
                        status=s.status, current_version=s.current_version, lock_version=s.lock_version)
            for s in session.scalars(query)]


def _open_blocking(session: Session, report_id: int) -> dict[str, int]:
    rows = session.scalars(select(FindingRow.section_id).where(
        FindingRow.report_id == report_id, FindingRow.status == "open", FindingRow.severity == "blocking"))
    return dict(Counter(rows))


def _checked_versions(session: Session, report_id: int, sections: list[SectionView]) -> dict[str, int]:
    """Section versions the last check run the store recorded saw: the newest sealed ``run_checks`` audit entry
    (the import writes one for its own check run). Without one, nothing counts as checked: findings that came
    in a file are not a check run."""
    # Only a sealed entry counts: a row INSERTed by hand must not make stale checks look current.
    last = next((row.detail for row in session.scalars(select(AuditLog).where(
        AuditLog.action == "run_checks", AuditLog.object_type == "report", AuditLog.object_id == str(report_id),
    ).order_by(AuditLog.id.desc())) if audit.sealed(row)), None)
    if last and isinstance(last.get("versions"), dict):
        return {str(k): int(v) for k, v in last["versions"].items()}
    return {}


class ComplianceService:
    """Compliance operations over the store of a :class:`ReviewService`."""

    def __init__(self, review: ReviewService, *, check_fn: CheckFn | None = None) -> None:
        self._review = review
        self._sessions = sessionmaker(review.engine, expire_on_commit=False)
        self._check_fn = check_fn

    # ------------------------------------------------------------------ reads
    def findings(self, report_id: int, *, include_resolved: bool = True) -> list[FindingView]:
        """Findings in report order (report-level ones last), open before resolved, then by severity."""
        resolver = aliased(User)
        query = (select(FindingRow, resolver.name, Section.order)
                 .outerjoin(resolver, resolver.id == FindingRow.resolved_by)
                 .outerjoin(Section, (Section.report_id == FindingRow.report_id)
                            & (Section.section_id == FindingRow.section_id))
                 .where(FindingRow.report_id == report_id))
        if not include_resolved:
            query = query.where(FindingRow.status == "open")
        with self._sessions() as session:
            rows = list(session.execute(query))
        rows.sort(key=lambda r: (r[2] if r[2] is not None else 10**6, r[0].status != "open",
                                 _SEVERITY_RANK.get(r[0].severity, 9), r[0].id))
        return [self._view(row, name) for row, name, _order in rows]

    @staticmethod
    def _view(row: FindingRow, resolver: str | None) -> FindingView:
        return FindingView(id=row.id, report_id=row.report_id, section_id=row.section_id, version=row.version,
                           kind=row.kind, severity=row.severity, sentence=row.sentence, evidence=row.evidence,
                           detail=row.detail, marker=row.marker, status=row.status, resolved_by=resolver,
                           reason=row.reason, resolved_at=row.resolved_at)

    def finding(self, finding_id: int) -> FindingView:
        with self._sessions() as session:
            row = self._finding_row(session, finding_id)
            resolver = session.get(User, row.resolved_by) if row.resolved_by else None
            return self._view(row, resolver.name if resolver else None)

    @staticmethod
    def _finding_row(session: Session, finding_id: int) -> FindingRow:
        row = session.get(FindingRow, finding_id)
        if row is None:
            raise ReviewError(f"合规问题 {finding_id} 不存在")
        return row

    def signoffs(self, report_id: int) -> list[SignoffView]:
        """Every sign-off of the report, newest first; only the newest can be valid."""
        with self._sessions() as session:
            report = session.get(ReportRow, report_id)
            if report is None:
                raise ReviewError(f"报告 {report_id} 不存在")
            current = {s.section_id: s.current_version for s in _section_views(session, report_id)}
            rows = session.execute(select(Signoff, User.name).join(User, User.id == Signoff.user_id)
                                   .where(Signoff.report_id == report_id).order_by(Signoff.id.desc())).all()
            return [SignoffView(id=s.id, report_id=report_id, user=name, comment=s.comment,
                                versions={k: int(v) for k, v in s.versions.items()}, created_at=s.created_at,
                                valid=i == 0 and report.signed_off_by is not None and s.versions == current)
                    for i, (s, name) in enumerate(rows)]

    def signoff_state(self, report_id: int) -> SignoffState:
        history = self.signoffs(report_id)
        with self._sessions() as session:
            sections = _section_views(session, report_id)
            checked = _checked_versions(session, report_id, sections)
            gate = can_sign_off(sections, _open_blocking(session, report_id), checked)
        current = history[0] if history and history[0].valid else None
        return SignoffState(current=current, gate=gate, checked_versions=checked)

    # ------------------------------------------------------------------ resolve and send back
    def resolve(self, finding_id: int, reason: str, user: UserView) -> FindingView:
        """Mark a finding resolved; the reason is mandatory and kept with the finding and in the audit log."""
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "resolve")
            if not reason.strip():
                raise ReviewError("标记为已处理时必须填写理由")
            row = self._finding_row(session, finding_id)
            if resolve_finding(session, finding_id, actor.id, reason.strip()) != 1:  # resolved meanwhile
                raise ReviewError(f"合规问题 {finding_id} 已被处理")
            audit.record(session, actor, "resolve_finding", "finding", finding_id, report_id=row.report_id,
                         section=row.section_id, kind=row.kind, severity=row.severity, reason=reason.strip())
        return self.finding(finding_id)

    def send_back(self, finding_id: int, user: UserView, comment: str = "") -> SentBack:
        """Return the finding's section to its editor: status changes_requested, the finding as the comment."""
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "send_back")
                row = self._finding_row(session, finding_id)
                section = session.scalar(select(Section).where(Section.report_id == row.report_id,
                                                               Section.section_id == row.section_id))
                if section is None:
                    raise ReviewError(f"问题所在的“{row.section_id}”不是章节，无法退回")
                text = self._send_back_comment(row, comment)
                editor = self._editor_of(session, section)
                session.add(Review(section_pk=section.id, version_number=section.current_version,
                                   reviewer_id=actor.id, decision="request_changes", comment=text))
                previous = section.status
                set_section_state(session, section, "changes_requested", section.current_version)
                session.flush()
                self._void_signoff(session, row.report_id, actor, reason="send_back")
                audit.record(session, actor, "send_back", "section", section.id, before=section.current_version,
                             after=section.current_version, previous_status=previous, finding=finding_id,
                             editor=editor, comment=text)
                return SentBack(section_pk=section.id, section_id=section.section_id,
                                version=section.current_version, editor=editor, comment=text)
        except StaleDataError as exc:
            raise ReviewError("章节刚被他人修改，请刷新后再退回") from exc

    @staticmethod
    def _send_back_comment(row: FindingRow, comment: str) -> str:
        lines = [f"合规退回（问题 #{row.id}，{kind_label(row.kind)}）：{row.detail}"]
        if row.sentence:
            lines.append(f"原句：{row.sentence}")
        if comment.strip():
            lines.append(f"合规意见：{comment.strip()}")
        return "\n".join(lines)

    @staticmethod
    def _editor_of(session: Session, section: Section) -> str | None:
        """The editor who last decided on the section, else the author of its current text."""
        reviewer = session.scalar(select(User.name).join(Review, Review.reviewer_id == User.id)
                                  .where(Review.section_pk == section.id, User.role.in_(("editor", "admin")))
                                  .order_by(Review.id.desc()).limit(1))
        if reviewer:
            return reviewer
        return session.scalar(select(User.name).join(SectionVersion, SectionVersion.author_id == User.id).where(
            SectionVersion.section_pk == section.id, SectionVersion.number == section.current_version))

    @staticmethod
    def _void_signoff(session: Session, report_id: int, actor: UserView, *, reason: str) -> None:
        report = session.get(ReportRow, report_id)
        if report is not None and report.signed_off_by is not None:
            report.signed_off_by, report.signed_off_at, report.signoff_comment = None, None, None
            audit.record(session, actor, "signoff_invalidated", "report", report_id, reason=reason)

    # ------------------------------------------------------------------ re-run the checks
    def rerun_checks(self, report_id: int, user: UserView, *, corpus: Path | None = None) -> RerunResult:
        """Run the checks over the current section versions and replace the open findings with the result.

        Findings keep their ids across runs (``rechecking.reconcile``): one already resolved stays resolved while
        its sentence is unchanged (the reason given still applies), an open one no longer raised is closed as fixed.
        """
        with self._sessions() as session:
            acting_user(session, user, "run_checks")  # refuse before the slow part
        report, versions = self.current_report(report_id)
        checked = store_checks(Path(self._review.out_dir(report_id)), report, corpus=corpus,
                               check_fn=self._checks(drafted_texts(self._review, report_id)))
        found, used, note = checked.findings, checked.corpus, checked.note
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "run_checks")
            now = {s.section_id: s.current_version for s in _section_views(session, report_id, lock=True)}
            if now != versions:
                raise ReviewError("检查期间有章节产生了新版本，请重新运行检查")
            # ids kept across runs; the open ones after this run are sealed in the audit entry, so verify finds an
            # open finding deleted or resolved behind the service's back
            fresh, kept, fixed, open_ids = reconcile(session, report_id, found, versions, actor.id)
            audit.record(session, actor, "run_checks", "report", report_id, versions=versions, opened=fresh,
                         kept_resolved=kept, closed_as_fixed=fixed, corpus=used, finding_ids=open_ids)
        return RerunResult(opened=fresh, kept_resolved=kept, versions=versions, corpus=used, note=note)

    def _checks(self, drafted: dict[str, str] | None = None) -> CheckFn:
        return self._check_fn if self._check_fn is not None else default_checks(drafted)

    def current_report(self, report_id: int) -> tuple[Report, dict[str, int]]:
        """The imported report with each section's current text and the report's stored sources."""
        return current_report(self._review, report_id)

    # ------------------------------------------------------------------ sign-off
    def sign_off(self, report_id: int, user: UserView, comment: str = "") -> SignoffView:
        """Sign off the current section versions. Refused while a section is not approved, a blocking finding is
        open, or a section changed since the last check run."""
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "sign_off")
            report = session.get(ReportRow, report_id, with_for_update=True)
            if report is None:
                raise ReviewError(f"报告 {report_id} 不存在")
            sections = _section_views(session, report_id, lock=True)
            gate = can_sign_off(sections, _open_blocking(session, report_id),
                                _checked_versions(session, report_id, sections))
            if not gate.allowed:
                raise ReviewError("不能签字：" + "；".join(gate.blockers))
            if report.signed_off_by is not None:
                raise ReviewError("本报告的当前版本已签字")
            versions = {s.section_id: s.current_version for s in sections}
            hashes = version_hashes(session, report_id, versions)
            row = Signoff(report_id=report_id, user_id=actor.id, comment=comment.strip(), versions=versions,
                          text_hashes=hashes)
            session.add(row)
            report.signed_off_by, report.signed_off_at, report.signoff_comment = actor.id, utcnow(), comment.strip()
            session.flush()
            audit.record(session, actor, "sign_off", "report", report_id, versions=versions,
                         comment=comment.strip(), signoff=row.id, text_hashes=hashes)
            view = SignoffView(id=row.id, report_id=report_id, user=actor.name, comment=row.comment,
                               versions=versions, created_at=row.created_at, valid=True)
        # the head after the sign-off leaves the database: cutting the log back past it is then detected
        audit.anchor_head(self._review.engine, reason=f"sign_off report {report_id}")
        return view
