"""Write-side helpers shared by the review service's mixins: rows, citations, new versions, conflicts, settings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ConcurrentEditError, ReviewError
from assistant.models import Citation
from assistant.review import audit
from assistant.review.db import AppSetting, Section, SectionVersion, Source, User, utcnow
from assistant.review.importing import engine_sources, source_row
from assistant.review.policy import cited_markers
from assistant.review.queries import Queries
from assistant.review.statefns import set_section_state
from assistant.review.users import acting_user
from assistant.review.views import UserView, VersionView
from assistant.settings import Settings, get_settings

__all__ = ["DEFAULT_SETTINGS", "Writes"]

# Workspace settings an admin may change at run time (stored in ``app_settings``).
DEFAULT_SETTINGS: dict[str, Any] = {
    "four_eyes": True,  # the author of a version may not approve it
    "max_edit_chars": 60_000,  # a section longer than this is refused (the seed's longest is ~6,000)
}


class Writes(Queries):
    def __init__(self, sessions: sessionmaker[Session], settings: Settings | None = None) -> None:
        super().__init__(sessions)
        self._settings = settings

    @staticmethod
    def _section_row(session: Session, section_pk: int) -> Section:
        section = session.get(Section, section_pk)
        if section is None:
            raise ReviewError(f"章节 {section_pk} 不存在")
        return section

    def _settings_obj(self) -> Settings:
        return self._settings or get_settings()

    # ------------------------------------------------------------------ workspace settings
    @staticmethod
    def _setting(session: Session, key: str) -> Any:
        row = session.get(AppSetting, key)
        return row.value if row is not None else DEFAULT_SETTINGS[key]

    def setting(self, key: str) -> Any:
        if key not in DEFAULT_SETTINGS:
            raise ReviewError(f"未知的设置项 {key}")
        with self._sessions() as session:
            return self._setting(session, key)

    def set_setting(self, key: str, value: Any, user: UserView) -> None:
        """Change a workspace setting (admin only, audited)."""
        if key not in DEFAULT_SETTINGS:
            raise ReviewError(f"未知的设置项 {key}")
        if not isinstance(value, type(DEFAULT_SETTINGS[key])):
            raise ReviewError(f"设置项 {key} 的值类型应为 {type(DEFAULT_SETTINGS[key]).__name__}")
        with self._sessions.begin() as session:
            actor = acting_user(session, user, "manage_users")
            row = session.get(AppSetting, key)
            before = row.value if row is not None else DEFAULT_SETTINGS[key]
            if row is None:
                session.add(AppSetting(key=key, value=value, updated_at=utcnow()))
            else:
                row.value, row.updated_at = value, utcnow()
            audit.record(session, actor, "setting", "setting", key, old=before, new=value)

    # ------------------------------------------------------------------ versions
    def _check_length(self, session: Session, markdown: str) -> None:
        limit = int(self._setting(session, "max_edit_chars"))
        if len(markdown) > limit:
            raise ReviewError(f"正文共 {len(markdown)} 字，超过上限 {limit} 字，未保存；请删减后再保存")

    @staticmethod
    def _citations_for(session: Session, report_id: int, markdown: str) -> list[Citation]:
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
                     provenance: dict[str, Any] | None = None, action: str | None = None,
                     **detail: Any) -> VersionView:
        if section.current_version != base_version:
            raise self._conflict_in(session, section, base_version)
        number = base_version + 1
        version = SectionVersion(section_pk=section.id, number=number, markdown=markdown, author_id=actor.id,
                                 citations=[c.model_dump(mode="json") for c in citations], origin=origin,
                                 instruction=instruction, provenance=provenance)
        session.add(version)
        previous_status = section.status
        set_section_state(session, section, "draft", number)
        if section.holder_id == actor.id:
            section.holder_id, section.held_since = None, None
        session.flush()  # raises StaleDataError when another transaction saved this section meanwhile
        audit.record(session, actor, action or (origin if origin != "edited" else "edit"), "section", section.id,
                     before=base_version, after=number, previous_status=previous_status,
                     reopened=previous_status == "approved", instruction=instruction, **detail)
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

    @staticmethod
    def _add_missing_sources(session: Session, report_id: int, out_dir: str, markers: Iterable[int]) -> None:
        """A regenerated text may cite sources new to the report; the engine records them under out_dir."""
        have = set(session.scalars(select(Source.marker).where(Source.report_id == report_id)))
        wanted = set(markers) - have
        if not wanted:
            return
        for ref in engine_sources(Path(out_dir)):
            if ref.marker in wanted:
                row = source_row(ref)
                row.report_id = report_id
                session.add(row)
                wanted.discard(ref.marker)
        session.flush()
