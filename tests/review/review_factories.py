"""Reports and seeded stores built in tests (the drafting and export modules are not needed for these)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from assistant.models import Citation, Provenance, Report, SectionDraft, SourceRef, Table
from assistant.review import ReviewService, UserView, add_user

PASSWORD = "correct-horse-9"
EVIL_TITLE = "<img src=x onerror=alert(1)>"
SECTION_IDS = ("core_views", "market_review", "compute_dynamics")


def make_report(n_sections: int = 3, *, evil_source: bool = True) -> Report:
    ids = list(SECTION_IDS) + [f"extra_{i}" for i in range(max(0, n_sections - len(SECTION_IDS)))]
    sources = [
        SourceRef(marker=1, doc_id="n001", title=EVIL_TITLE if evil_source else "英伟达发布新一代GPU",
                  date=dt.date(2024, 7, 12), source="新智元", url="https://example.com/n001",
                  passage="英伟达在7月发布了面向推理的新一代GPU，算力提升显著。"),
        SourceRef(marker=2, doc_id="n002", title="华为昇腾910B出货量提升", date=dt.date(2024, 7, 20),
                  source="IT之家", url="https://example.com/n002", passage="昇腾910B在7月出货量环比提升。"),
        SourceRef(marker=3, doc_id="n003", title="国家数据局发布数据要素政策", date=dt.date(2024, 7, 5),
                  source="国家数据局", url=None, passage="国家数据局发布关于数据要素的指导意见。"),
    ]
    sections = []
    for i, sid in enumerate(ids[:n_sections]):
        marker = i % 3 + 1
        sections.append(SectionDraft(
            id=sid, title=f"{i + 1}、章节{sid}",
            markdown=f"## 章节 {sid}\n\n第一段：7月人工智能指数上涨 [{marker}]。\n\n第二段：国产算力加速 [2]。",
            citations=[Citation(marker=marker, doc_id=f"n00{marker}"), Citation(marker=2, doc_id="n002")]
            if marker != 2 else [Citation(marker=2, doc_id="n002")],
            tables=["T1"] if sid == "market_review" else [],
            provenance=Provenance(engine="offline", template_id="monthly_ai", retrieved_doc_ids=["n001"]),
        ))
    table = Table(id="T1", key="top_movers", title="表 1：7 月份人工智能板块涨幅前十",
                  columns=["代码", "名称", "月涨跌幅"], rows=[["688256.SH", "寒武纪-U", "12.34%"],
                                                        ["300474.SZ", "景嘉微", "8.10%"]],
                  source="资料来源：Wind，中国银河证券研究院")
    return Report(month="2024-07", title="人工智能月报：7月", engine="offline", sections=sections,
                  tables=[table], sources=sources, created_at=dt.datetime(2024, 8, 1, 9, 0))


def write_out_dir(path: Path, report: Report) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "report.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
    return path


def seed_users(service: ReviewService) -> dict[str, UserView]:
    return {role: add_user(service.engine, role, role, PASSWORD)
            for role in ("analyst", "editor", "compliance", "admin")}


def seed(url: str, out_dir: Path, n_sections: int = 3) -> tuple[ReviewService, dict[str, UserView], int]:
    """A migrated store with one user per role (named after the role) and one imported report."""
    service = ReviewService.open(url)
    users = seed_users(service)
    report_id = service.import_report(write_out_dir(out_dir, make_report(n_sections)), users["analyst"])
    return service, users, report_id


def report_json_text(report: Report) -> str:
    return json.dumps(json.loads(report.model_dump_json()), ensure_ascii=False)


def sign_off_report(service: ReviewService, compliance: UserView, report_id: int) -> None:
    """Compliance's part before a final export: re-run the real checks on the current versions, resolve each open
    blocking finding with a reason, sign off. Sections must already be approved."""
    from assistant.review.compliance import ComplianceService

    comp = ComplianceService(service)
    comp.rerun_checks(report_id, compliance)
    for finding in comp.findings(report_id, include_resolved=False):
        if finding.severity == "blocking":
            comp.resolve(finding.id, "测试报告：已人工核对", compliance)
    comp.sign_off(report_id, compliance, "测试签字")


Seeded = tuple[ReviewService, dict[str, UserView], int]


def approve_and_sign(seeded: Seeded) -> Seeded:
    """Every section approved by ``editor`` at its current version, then compliance's sign-off (sign_off_report)."""
    service, users, report_id = seeded
    for section in service.sections(report_id):
        service.approve(section.pk, section.current_version, users["editor"])
    sign_off_report(service, users["compliance"], report_id)
    return seeded
