"""A realistic drafted report, built the way the drafting stage hands it over, plus an output folder with charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.models import Chart, Citation, Finding, Provenance, Report, SectionDraft, SourceRef, Table

XSS = "<img src=x onerror=alert(1)>"


def _png(path: Path, values: list[float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.plot(range(len(values)), values)
    fig.savefig(path)
    plt.close(fig)


@pytest.fixture(scope="session")
def chart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("charts_src")
    _png(root / "charts" / "F1_index_performance.png", [5230.0, 5190.5, 5257.12])
    _png(root / "charts" / "F2_constituent_returns.png", [0.52, -0.3, 1.1])
    return root


@pytest.fixture
def out_dir(tmp_path: Path, chart_dir: Path) -> Path:
    """An output folder as drafting leaves it: charts already rendered under charts/."""
    out = tmp_path / "out"
    (out / "charts").mkdir(parents=True)
    for png in (chart_dir / "charts").iterdir():
        (out / "charts" / png.name).write_bytes(png.read_bytes())
    return out


def _tables() -> list[Table]:
    src = "资料来源：Wind，中国银河证券研究院"
    movers = ["股票代码", "股票简称", "7 月 31 日收盘价（元）", "月涨跌幅", "相对计算机"]
    return [
        Table(id="T1", key="top_movers", title="7 月份人工智能板块涨幅前十", columns=movers, source=src,
              rows=[["688256.SH", "寒武纪-U", "264.06", "32.91%", "33.21%"],
                    ["300613.SZ", "富瀚微", "38.83", "17.99%", "18.29%"]]),
        Table(id="T2", key="bottom_movers", title="7 月份人工智能板块跌幅前十", columns=movers, source=src,
              rows=[["002368.SZ", "太极股份", "16.74", "-25.11%", "-24.81%"]]),
        Table(id="T3", key="funds", title="人工智能主题基金一览", source="Wind，中国银河证券研究院",
              columns=["基金代码", "基金简称(官方)", "近1月回报 (%)"],
              rows=[["001986", "前海开源|人工智能", "-3.29"], ["014630", "汇添富\n联接A", ""]]),
        Table(id="VAL", key="valuation", title="人工智能板块估值", columns=["指标", "数值"], source=src,
              rows=[["PE(TTM)", "62.33"], ["PS(TTM)", "3.09"]], note="整体法"),
    ]


def _charts() -> list[Chart]:
    src = "资料来源：Wind，中国银河证券研究院"
    return [
        Chart(id="F1", key="index_performance", title="7 月人工智能指数表现",
              path="charts/F1_index_performance.png", source=src),
        Chart(id="F2", key="constituent_returns", title="7 月人工智能板块市场表现",
              path="charts/F2_constituent_returns.png", source=src),
    ]


def _sources() -> list[SourceRef]:
    return [
        SourceRef(marker=1, doc_id="d-policy", title="五部门开展车路云一体化应用试点", date=dt.date(2024, 7, 3),
                  source="工业和信息化部", url="https://www.miit.gov.cn/a|b", passage="20个城市"),
        SourceRef(marker=2, doc_id="d-llama", title="Meta 发布 Llama 3.1 [405B]", date=dt.date(2024, 7, 23),
                  source="新智元", url=None),
        SourceRef(marker=3, doc_id="d-old", title="2023 年数据要素回顾", date=dt.date(2023, 12, 30),
                  source="IT之家", url="https://www.ithome.com/x", background=True),
    ]


def _sections() -> list[SectionDraft]:
    prov = Provenance(engine="offline", template_id="monthly_ai", retrieved_doc_ids=["d-policy"])
    return [
        SectionDraft(id="core_views", title="核心观点", markdown=(
            "- **7月板块震荡微跌，板块调整接近尾声。**人工智能指数7月涨跌幅为0.52%。\n"
            "- **车路云一体化助力大模型上车。**五部门开展试点[1]。")),
        SectionDraft(id="market_review", title="一、市场行情回顾", tables=["T1", "T2"], charts=["F2"], markdown=(
            "## 一、市场行情回顾\n\n### (一) 整体行情\n\n人工智能指数收盘价为 5257.12。\n\n{{chart:F1}}\n\n"
            "### (二) 代表企业\n\n成分股 71 支。\n\n### (三) 板块估值\n\n平均估值见下表：{{table:funds}} 估值处于低位。"),
            provenance=prov),
        SectionDraft(id="data_policy", title="（一）数据要素最新新闻及政策", chapter="二、人工智能产业政策动态",
                     citations=[Citation(marker=1, doc_id="d-policy")],
                     markdown=("7月数据要素市场化配置改革继续推进。\n\n表：数据要素最新新闻及政策\n\n"
                               "| 日期 | 事件 |\n|---|---|\n"
                               "| 7月3日 | 车路云\\|试点[1] |\n| 7月5日 | **数据**交易所挂牌 |\n\n"
                               "资料来源：工业和信息化部，中国银河证券研究院整理\n\n1. 第一条\n2. 第二条")),
        SectionDraft(id="llm_dynamics", title="（二）国内外巨头大模型动态", citations=[Citation(marker=2, doc_id="d-llama")],
                     markdown=f"Meta 发布 Llama 3.1[2]，一段新闻原文含 {XSS} 字样。\n\n> 引文 {XSS}\n\n{{{{table:T1}}}}"),
        SectionDraft(id="tech_frontier", title="（一）前沿技术动态", chapter="三、前沿行业动态", markdown=(
            "## 1. PNN 或可改变 AI 系统高能耗问题\n\nPNN 训练方法[2]。\n\n## 2. FlashAttention-3 发布\n\nH100 利用率 75%。")),
        SectionDraft(id="funding", title="投融资事件", status="failed", error="模型超时", markdown=""),
        SectionDraft(id="risk_warnings", title="风险提示", markdown="技术研发进度不及预期风险；供应链风险[3]。"),
        SectionDraft(id="disclosures", title="免责声明", markdown=(
            "## 分析师承诺及简介\n\n本人承诺以勤勉的执业态度，独立、客观地出具本报告。\n\n"
            "## 免责声明\n\n本报告由中国银河证券股份有限公司向其客户提供。\n\n"
            "## 评级标准\n\n| 评级 | 说明 |\n| --- | --- |\n| 推荐 | 相对基准指数涨幅10%以上 |")),
    ]


def build_report() -> Report:
    return Report(
        month="2024-07", title="人工智能赋能新质生产力，国产 AI 产业迎来新机遇", series="人工智能月报",
        industry="计算机行业", rating="推荐", rating_action="维持评级", institution="中国银河证券研究院",
        analysts=[{"name": "吴砚靖", "role": "分析师", "certificate": "S0130519070001",
                   "email": "wuyanqing@example.com"},
                  {"name": "胡天昊", "role": "研究助理", "certificate": ""}],
        engine="offline", template_id="monthly_ai", pack_hash="p" * 8, corpus_hash="c" * 8,
        created_at=dt.datetime(2024, 8, 2, 9, 30, tzinfo=dt.UTC),
        sections=_sections(), tables=_tables(), charts=_charts(), sources=_sources(),
        checks=[Finding(section="market_review", kind="table_mismatch", ok=True, severity="info", detail="ok")],
    )


@pytest.fixture
def report() -> Report:
    return build_report()


@pytest.fixture(scope="session")
def xss() -> str:
    return XSS


@pytest.fixture(scope="session")
def docx_bytes(chart_dir: Path) -> bytes:
    """The sample report rendered to .docx once; tests only read it."""
    from assistant.export import render_docx

    return render_docx(build_report(), chart_dir)
