"""A sign-off bound to content: a keyed hash of each signed version's text, re-verified at export and by ``verify``.

Version numbers alone do not bind: an UPDATE of a signed version's text (by anyone who can reach the database as
its owner, past the append-only triggers) would be exported as "signed". The hashes stored with the sign-off
are compared, inside the export's transaction, with the stored texts and with the texts being exported. They are
HMAC-SHA256 under the audit key (``h1:<hex>``, migration 0007), so writing a changed text's new hash into the
sign-off needs the key too; the sign-off's audit entry carries the same hashes under the keyed chain. A sign-off
with unkeyed sha256 hashes (before 0007) is reported and must be signed again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import ReviewError
from assistant.review.audit import sealed, session_key
from assistant.review.db import AuditLog, ReportRow, Section, SectionVersion, Signoff

__all__ = ["SignoffProblem", "check_signoffs", "text_hash", "verify_export", "version_hashes"]


KEYED = "h1:"


def text_hash(markdown: str, key: bytes) -> str:
    return KEYED + hmac.new(key, markdown.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _texts(session: Session, report_id: int, versions: dict[str, int]) -> dict[str, str]:
    rows = session.execute(
        select(Section.section_id, SectionVersion.number, SectionVersion.markdown)
        .join(SectionVersion, SectionVersion.section_pk == Section.id)
        .where(Section.report_id == report_id)).all()
    return {sid: md for sid, number, md in rows if versions.get(sid) == number}


def version_hashes(session: Session, report_id: int, versions: dict[str, int]) -> dict[str, str]:
    key = session_key(session)
    return {sid: text_hash(md, key) for sid, md in _texts(session, report_id, versions).items()}


@dataclass(frozen=True)
class SignoffProblem:
    report_id: int
    section_id: str
    problem: str


def _signoff_problems(session: Session, report_id: int, signoff: Signoff) -> list[SignoffProblem]:
    versions = {str(k): int(v) for k, v in signoff.versions.items()}
    if not signoff.text_hashes:
        return [SignoffProblem(report_id, "*", "签字未记录各版本内容的哈希（0005 之前的签字），请重新签字")]
    if not all(str(h).startswith(KEYED) for h in signoff.text_hashes.values()):
        return [SignoffProblem(report_id, "*", "签字的内容哈希未加密钥（0007 之前的签字，可被重算），请重新签字")]
    stored = version_hashes(session, report_id, versions)
    problems = []
    if set(signoff.text_hashes) != set(versions):
        problems.append(SignoffProblem(report_id, "*", "签字的内容哈希与签字的章节清单不一致"))
    for sid, signed in sorted(signoff.text_hashes.items()):
        if not hmac.compare_digest(stored.get(sid, ""), str(signed)):
            problems.append(SignoffProblem(report_id, sid, f"已签字的第 {versions.get(sid)} 版内容与签字时不一致"))
    return problems


def _current_signoff(session: Session, report_id: int) -> Signoff | None:
    report = session.get(ReportRow, report_id)
    if report is None or report.signed_off_by is None:
        return None
    return session.scalar(select(Signoff).where(Signoff.report_id == report_id).order_by(Signoff.id.desc()).limit(1))


def verify_export(session: Session, report_id: int, exported: dict[str, str]) -> None:
    """Refuse the export unless every exported text is exactly the text signed (same session as the export read)."""
    signoff = _current_signoff(session, report_id)
    if signoff is None:
        raise ReviewError("导出中止：本报告没有有效的合规签字")
    problems = _signoff_problems(session, report_id, signoff)
    signed = signoff.text_hashes or {}
    key = session_key(session)
    for sid, markdown in sorted(exported.items()):
        if signed.get(sid) != text_hash(markdown, key):
            problems.append(SignoffProblem(report_id, sid, "要导出的文本不是签字时的文本"))
    if problems:
        raise ReviewError("导出中止：" + "；".join(f"{p.section_id}: {p.problem}" for p in problems))


def check_signoffs(session: Session) -> list[SignoffProblem]:
    """Every report's current sign-off against the stored texts (for ``python -m assistant verify``)."""
    problems: list[SignoffProblem] = []
    # Every sign-off row must still have its sealed audit entry, carrying the same hashes under the keyed chain.
    key = session_key(session)
    audited: dict[int, dict[str, object]] = {}
    for entry in session.scalars(select(AuditLog).where(AuditLog.action == "sign_off")):
        entry_detail = entry.detail if isinstance(entry.detail, dict) else {}
        if sealed(entry, key) and str(entry_detail.get("signoff", "")).isdigit():
            audited[int(entry_detail["signoff"])] = entry_detail
    for row in session.scalars(select(Signoff)):
        logged = audited.get(row.id)
        if logged is None:
            problems.append(SignoffProblem(row.report_id, "*",
                                           f"签字 {row.id} 没有对应的审计记录，或记录无效（疑被删除或伪造）"))
        elif "text_hashes" in logged and logged["text_hashes"] != row.text_hashes:
            problems.append(SignoffProblem(row.report_id, "*",
                                           f"签字 {row.id} 的内容哈希与其审计记录不一致（签字被改写）"))
    for report_id in session.scalars(select(ReportRow.id).where(ReportRow.signed_off_by.is_not(None))):
        signoff = _current_signoff(session, report_id)
        if signoff is not None:
            problems += _signoff_problems(session, report_id, signoff)
    return problems
