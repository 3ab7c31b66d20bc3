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

from assistant.errors import AssistantError, ReviewError
from assistant.models import Report, SectionDraft
from assistant.review import audit
from assistant.review.checking import store_checks
from assistant.review.database import init_db
from assistant.review.db import ReportRow, Review, Section, SectionVersion, User, utcnow
from assistant.review.diffing import VersionDiff, diff_texts
from assistant.review.importing import add_report, read_report_json
from assistant.review.policy import can_export
from assistant.review.rechecking import CheckFn
from assistant.review.statefns import set_section_state
from assistant.review.users import acting_user, user_view
from assistant.review.views import ExportGate, ReviewView, SectionView, SuggestionView, UserView, VersionView
from assistant.review.workspace import Workspace
from assistant.safety import strip_control
from assistant.settings import Settings

__all__ = ["DECISION_STATUS", "DuplicateImportError", "RegenerateFn", "ReviewService"]

RegenerateFn = Callable[..., SectionDraft]


class DuplicateImportError(ReviewError):
    """The folder was imported before; the caller must choose replace or new."""

DECISION_STATUS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}


class ReviewService(Workspace):
    """Mutations of the review store. Reads come from :class:`Queries`; suggestions, unsaved edits, restore and
    the inbox from :class:`Workspace`."""

    def __init__(self, engine: Engine, *, settings: Settings | None = None,
                 regenerate_fn: RegenerateFn | None = None, check_fn: CheckFn | None = None) -> None:
        super().__init__(sessionmaker(engine, expire_on_commit=False), settings)
        self.engine = engine
        self._regenerate_fn = regenerate_fn
        self._check_fn = check_fn  # the import's check run (None: assistant.checks.run_checks)

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> ReviewService:
        """Open (and migrate to head) the store at ``url``."""
        return cls(init_db(url), **kwargs)

    # ------------------------------------------------------------------ import
    def import_report(self, out_dir: Path | str, user: UserView | None, *, on_duplicate: str = "ask") -> int:
        """Import ``out_dir/report.json``: version 1 (origin drafted) of each section. Returns the report id.

        ``user=None`` is the local operator of the ``load`` CLI (recorded as ``system`` in the audit log). A folder
        already imported is not silently imported twice: ``on_duplicate`` is ``ask`` (refuse, naming the earlier
        report), ``replace`` (only while the earlier import is untouched: no edit, review or sign-off) or ``new``.
        """
        if on_duplicate not in ("ask", "replace", "new"):
            raise ReviewError(f"on_duplicate 应为 ask/replace/new，收到 {on_duplicate!r}")
        report = read_report_json(Path(out_dir))
        resolved = str(Path(out_dir).resolve())
        if on_duplicate != "new":
            self._handle_duplicate(resolved, user, replace=on_duplicate == "replace")
        return self.import_report_model(report, resolved, user)

    def _handle_duplicate(self, out_dir: str, user: UserView | None, *, replace: bool) -> None:
        with self._sessions.begin() as session:
            earlier = session.scalars(select(ReportRow).where(ReportRow.out_dir == out_dir,
                                                              ReportRow.replaced_at.is_(None))
                                      .order_by(ReportRow.id)).all()
            if not earlier:
                return
            if not replace:
                listed = "、".join(f"#{r.id}（导入于 {r.created_at:%Y-%m-%d %H:%M}）" for r in earlier)
                raise DuplicateImportError(f"{out_dir} 已导入为报告 {listed}；替换请用 --replace，另建一份请用 --new")
            actor = acting_user(session, user, "import") if user is not None else None
            for row in earlier:
                touched = session.scalar(select(func.count()).select_from(SectionVersion).join(
                    Section, Section.id == SectionVersion.section_pk).where(
                    Section.report_id == row.id, SectionVersion.number > 1)) or session.scalar(
                    select(func.count()).select_from(Review).join(Section, Section.id == Review.section_pk)
                    .where(Section.report_id == row.id))
                if touched or row.signed_off_by is not None:
                    raise DuplicateImportError(f"报告 #{row.id} 已有编辑、审批或签字，不能替换；另建一份请用 --new")
                audit.record(session, actor, "replace_import", "report", row.id, out_dir=out_dir)
                # archived, not deleted: versions are append-only and the audit trail keeps pointing at it
                row.replaced_at = utcnow()

    def import_report_model(self, report: Report, out_dir: str, user: UserView | None) -> int:
        """Import ``report`` after the store's own check run on it (outside the transaction: it reads the
        corpus); the findings ``report`` carries are ignored."""
        with self._sessions() as session:
            if user is not None:
                acting_user(session, user, "import")  # refuse before the slow part
        checked = store_checks(Path(out_dir), report, check_fn=self._check_fn)
        with self._sessions.begin() as session:
            return add_report(session, report, out_dir, user, checked=checked)

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
        """Store ``markdown`` as a new version (origin edited) if ``base_version`` is still the current one.

        Text identical to the current version makes no version: the current one is returned unchanged. A saved
        edit drops the user's kept unsaved text of the section.
        """
        markdown, removed = strip_control(markdown)  # a vertical tab pasted from Word would break the export
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "edit")
                section = self._section_row(session, section_pk)
                current = session.scalar(select(SectionVersion).where(
                    SectionVersion.section_pk == section_pk, SectionVersion.number == section.current_version))
                if current is not None and current.markdown == markdown:
                    self._drop_draft(session, section_pk, actor.id)
                    return self._version_view(session, current)
                self._check_length(session, markdown)
                citations = self._citations_for(session, section.report_id, markdown)
                version = self._add_version(session, section, base_version, actor, markdown=markdown,
                                            citations=citations, origin="edited")
                if removed:
                    audit.record(session, actor, "control_characters_removed", "section", section.id,
                                 after=version.number, count=removed)
                self._drop_draft(session, section_pk, actor.id)
                return version
        except (StaleDataError, IntegrityError) as exc:
            raise self._conflict(section_pk, base_version) from exc

    # ------------------------------------------------------------------ regenerate
    def _redraft(self, section_pk: int, instruction: str, user: UserView) -> tuple[SectionDraft, int, str]:
        """Run the drafting engine on the section; returns the draft, the version it was based on and out_dir."""
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
        return draft, base, out_dir

    def propose_regeneration(self, section_pk: int, instruction: str, user: UserView) -> SuggestionView:
        """Regenerate the section as a suggestion (the section page's path): no version until accepted."""
        draft, base, _out_dir = self._redraft(section_pk, instruction, user)
        provenance = draft.provenance.model_dump(mode="json") if draft.provenance else None
        engine = draft.provenance.engine if draft.provenance else self._settings_obj().resolved_engine
        return self.suggest(section_pk, base_version=base, markdown=draft.markdown, instruction=instruction,
                            engine=engine, user=user, provenance=provenance)

    def regenerate(self, section_pk: int, instruction: str, user: UserView) -> VersionView:
        """Regenerate and store the result at once as a new version (origin regenerated): for scripts; the UI
        goes through :meth:`propose_regeneration` so an editor sees the diff first."""
        draft, base, out_dir = self._redraft(section_pk, instruction, user)
        try:
            with self._sessions.begin() as session:
                actor = acting_user(session, user, "regenerate")
                section = self._section_row(session, section_pk)
                self._add_missing_sources(session, section.report_id, out_dir, [c.marker for c in draft.citations])
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
                if decision == "approve":
                    done = self._approval_check(session, section, actor)
                    if done is not None:
                        return done
                review = Review(section_pk=section_pk, version_number=version, reviewer_id=actor.id,
                                decision=decision, comment=comment.strip())
                session.add(review)
                previous = section.status
                set_section_state(session, section, DECISION_STATUS[decision], version)
                session.flush()
                audit.record(session, actor, decision, "section", section_pk, before=version, after=version,
                             previous_status=previous, comment=comment.strip())
                return ReviewView(version_number=version, reviewer=actor.name, decision=decision,
                                  comment=review.comment, created_at=review.created_at)
        except StaleDataError as exc:
            raise ReviewError("章节刚被他人修改，请刷新后再审批") from exc

    def _approval_check(self, session: Session, section: Section, actor: UserView) -> ReviewView | None:
        """Four eyes over the content: nobody who authored any version since the last approved one may approve
        (A writes v2, B saves a one-space v3, A approving v3 would pass A's own text), unless an admin relaxed
        the ``four_eyes`` setting. Approving the already approved version returns its approval (no new record)."""
        if section.status == "approved":
            last = session.execute(select(Review, User.name).join(User, User.id == Review.reviewer_id).where(
                Review.section_pk == section.id, Review.version_number == section.current_version,
                Review.decision == "approve").order_by(Review.id.desc()).limit(1)).first()
            if last is not None:
                review, name = last
                return ReviewView(version_number=review.version_number, reviewer=name, decision=review.decision,
                                  comment=review.comment, created_at=review.created_at)
        last_approved = session.scalar(select(func.max(Review.version_number)).where(
            Review.section_pk == section.id, Review.decision == "approve",
            Review.version_number < section.current_version)) or 0
        mine = sorted(session.scalars(select(SectionVersion.number).where(
            SectionVersion.section_pk == section.id, SectionVersion.number > last_approved,
            SectionVersion.author_id == actor.id)))
        if mine and self._setting(session, "four_eyes"):
            since = f"上次批准的 v{last_approved} 之后" if last_approved else "未经批准的各版本中"
            listed = "、".join(f"v{n}" for n in mine)
            raise ReviewError(f"四眼原则：{since}，{listed} 由你本人撰写，不能由你批准；请另一位编辑审批"
                              "（管理员可在设置中为小团队放宽此规则）")
        return None

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
