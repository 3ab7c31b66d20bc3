"""Generate the bundled July 2024 sample market data pack, back-solved from the seed report.

Every figure the seed publishes (index closes and returns, tables 1-5, total market cap, board counts,
valuation) is an anchor; prices between anchors are a seeded random walk (Brownian bridge in log space), and
figures the seed does not publish are plausible synthetic values. The script verifies its own output by
loading the pack and recomputing the tables, and fails if any published figure is not reproduced.

    python scripts/make_sample_pack.py [--out assistant/data/sample/pack]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assistant" / "data" / "sample" / "pack"
RNG = np.random.default_rng(20240731)
HOLIDAYS = pd.to_datetime(["2024-01-01", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15",
                           "2024-02-16", "2024-04-04", "2024-04-05", "2024-05-01", "2024-05-02", "2024-05-03",
                           "2024-06-10"])
DAYS = pd.bdate_range("2023-12-29", "2024-07-31").difference(HOLIDAYS)
D_DEC, D_JAN, D_APR, D_JUN, D_END = (pd.Timestamp(d) for d in
                                     ("2023-12-29", "2024-01-31", "2024-04-30", "2024-06-28", "2024-07-31"))
THEME, SECTOR = ("884201.WI", "人工智能指数"), ("801750.SI", "计算机行业指数")
# code, name, month-end close, monthly return %, YTD return % ("" = not published: synthetic)
INDICES = [(*THEME, 5257.12, "0.52", "-8.66"), (*SECTOR, 3037.17, "-0.30", "-17.52"),
           ("000001.SH", "上证综指", 2938.75, "-0.97", "-1.22"), ("000300.SH", "沪深300", 3442.08, "-0.57", "0.32"),
           ("399006.SZ", "创业板指", 1672.27, "0.28", "-10.35")]
# Constituents beyond those the seed names in tables 1, 2 and 4: (code, name, rough market cap in 亿).
EXTRA_MEMBERS = """
600588.SH 用友网络 330|600536.SH 中国软件 260|600602.SH 云赛智联 150|000938.SZ 紫光股份 600|600570.SH 恒生电子 400
000034.SZ 神州数码 190|002439.SZ 启明星辰 180|002153.SZ 石基信息 130|002268.SZ 电科网安 140|002279.SZ 久其软件 40
002065.SZ 东华软件 180|002373.SZ 千方科技 130|002253.SZ 川大智胜 35|002609.SZ 捷顺科技 60|002152.SZ 广电运通 250
002063.SZ 远光软件 85|002649.SZ 博彦科技 60|002401.SZ 中远海科 45|300002.SZ 神州泰岳 140|300017.SZ 网宿科技 180
300166.SZ 东方国信 70|300168.SZ 万达信息 110|300188.SZ 美亚柏科 70|300212.SZ 易华录 90|300271.SZ 华宇软件 65
300311.SZ 任子行 25|300369.SZ 绿盟科技 45|300378.SZ 鼎捷软件 60|300383.SZ 光环新网 160|300451.SZ 创业慧康 50
300465.SZ 高伟达 35|300520.SZ 科大国创 35|300663.SZ 科蓝软件 50|300079.SZ 数码视讯 40|688047.SH 龙芯中科 400
"""
# Seed table 4 companies that are not members of 884201.WI (their returns would put them in tables 1/2).
NOT_MEMBERS = {"002405.SZ", "688169.SH", "688793.SH", "002410.SZ", "688111.SH", "688475.SH", "301162.SZ",
               "688188.SH"}
# Month-end closes the seed does not print (tables 4 and 5 companies): plausible, not published.
CLOSES = {"000977.SZ": 37.26, "002236.SZ": 15.02, "002362.SZ": 16.93, "002405.SZ": 7.05, "300229.SZ": 14.62,
          "300474.SZ": 66.02, "601360.SH": 7.48, "688088.SH": 27.2, "688169.SH": 315.44, "688207.SH": 16.82,
          "688787.SH": 52.46, "688793.SH": 33.52, "002410.SZ": 10.91, "688327.SH": 15.03, "688343.SH": 28.41,
          "688246.SH": 20.44, "603893.SH": 61.84, "300033.SZ": 107.0, "300496.SZ": 45.33, "688111.SH": 210.7,
          "688475.SH": 29.86, "300634.SZ": 17.02, "301162.SZ": 38.5, "688188.SH": 206.0, "TSLA.O": 232.07,
          "QCOM.O": 181.0, "NVDA.O": 117.02, "MSFT.O": 418.35, "META.O": 474.83, "GOOGL.O": 171.54,
          "BIDU.O": 87.8, "AAPL.O": 222.08, "9988.HK": 75.15, "2158.HK": 2.71, "0700.HK": 363.0, "0020.HK": 1.15}
TOTAL_CAP, PE_TTM, PS_TTM, REV_CAGR, NP_CAGR = 13070.32, 62.33, 3.09, 0.1333, -0.0833
FUND_NEW = {"014630", "014631", "159702"}  # launched in July 2024: no NAV a month back
BOARDS = {"600": "主板", "601": "主板", "603": "主板", "000": "主板", "001": "主板", "002": "中小板",
          "300": "创业板", "301": "创业板", "688": "科创板"}

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_rows import T1, T2, T3, T4, T5  # noqa: E402


def parse(block: str) -> list[list[str]]:
    return [line.split("|") for line in block.strip().splitlines()]


def pct(text: str) -> float:
    return float(text.rstrip("%")) / 100


def solve_base(end: float, target: str) -> float:
    """A base value, with as few decimals as possible, such that end/base - 1 prints as ``target`` (in %)."""
    want = f"{float(target.rstrip('%')):.2f}"
    exact = end / (1 + pct(target))
    for decimals in range(2, 9):
        base = round(exact, decimals)
        if f"{(end / base - 1) * 100:.2f}" == want:
            return base
    raise SystemExit(f"cannot back-solve base for {end} / {target}")


def bridge(anchors: dict[pd.Timestamp, float], days: pd.DatetimeIndex, vol: float, decimals: int) -> np.ndarray:
    """Seeded random walk through the anchors (log-space Brownian bridge); anchors are kept exactly."""
    pos = [days.get_loc(d) for d in anchors]
    values = list(anchors.values())
    path = np.empty(len(days))
    for (i0, v0), (i1, v1) in zip(zip(pos, values, strict=True), zip(pos[1:], values[1:], strict=True),
                                  strict=False):
        n = i1 - i0
        walk = np.concatenate([[0.0], np.cumsum(RNG.normal(0, vol, n))])
        t = np.arange(n + 1) / n
        path[i0:i1 + 1] = np.exp(np.log(v0) + t * (np.log(v1) - np.log(v0)) + walk - t * walk[-1])
    path = np.round(path, decimals)
    path[pos] = values
    return path


def members() -> pd.DataFrame:
    t4 = {r[0]: r for r in parse(T4)}
    rows = [(r[0], r[1]) for r in parse(T1) + parse(T2)]
    rows += [(code, r[1]) for code, r in t4.items() if code not in NOT_MEMBERS and code not in dict(rows)]
    extra = [item.split() for line in EXTRA_MEMBERS.strip().splitlines() for item in line.split("|")]
    rows += [(code, name) for code, name, _ in extra]
    frame = pd.DataFrame(rows, columns=["code", "name"])
    frame["board"] = frame["code"].str[:3].map(BOARDS)
    frame.insert(0, "index_code", THEME[0])
    return frame


def stock_specs(cons: pd.DataFrame) -> pd.DataFrame:
    """code, name, close, ret, ytd (targets as printed), cap (month end, 亿) for every stock in the pack."""
    specs: dict[str, dict[str, object]] = {}
    for r in parse(T1) + parse(T2):
        specs[r[0]] = {"name": r[1], "close": float(r[2]), "ret": r[3].rstrip("%")}
    for r in parse(T4) + parse(T5):
        if r[0] not in specs:
            specs[r[0]] = {"name": r[1], "close": CLOSES[r[0]]}
        spec = specs[r[0]]
        spec.update(ret=r[-2], ytd=r[-1], cap=float(r[6].replace(",", "")))
    free = cons[~cons["code"].isin(specs)]
    extra = {c: float(cap) for line in EXTRA_MEMBERS.strip().splitlines()
             for c, _, cap in (i.split() for i in line.split("|"))}
    for code, name in zip(free["code"], free["name"], strict=True):
        specs[code] = {"name": name, "close": round(float(RNG.uniform(6, 60)), 2),
                       "ret": f"{RNG.uniform(-5.2, 5.2):.2f}"}
    frame = pd.DataFrame.from_dict(specs, orient="index")
    missing_ytd = frame["ytd"].isna()
    frame.loc[missing_ytd, "ytd"] = [f"{v:.2f}" for v in RNG.uniform(-45, 12, int(missing_ytd.sum()))]
    is_member = frame.index.isin(cons["code"])
    fixed = frame.loc[is_member, "cap"].sum()
    free_codes = frame.index[is_member & frame["cap"].isna()]
    weights = pd.Series({c: extra.get(c, 60.0) * RNG.uniform(0.7, 1.3) for c in free_codes})
    frame.loc[free_codes, "cap"] = np.round(weights / weights.sum() * (TOTAL_CAP - fixed), 2)
    drift = TOTAL_CAP - frame.loc[is_member, "cap"].sum()  # rounding residue lands on one free member
    frame.loc[free_codes[0], "cap"] = round(frame.loc[free_codes[0], "cap"] + drift, 2)
    return frame


def price_rows(code: str, name: str, close: float, ret: str, ytd: str, cap: float | None,
               vol: float) -> pd.DataFrame:
    prev, base = solve_base(close, ret), solve_base(close, ytd)
    decimals = max(2, *(len(f"{v}".split(".")[-1]) for v in (close, prev, base)))
    path = bridge({D_DEC: base, D_JUN: prev, D_END: close}, DAYS, vol, decimals)
    frame = pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), "code": code, "name": name, "close": path})
    frame["market_cap"] = np.nan if cap is None else np.round(path * cap / close, 2)
    if cap is not None:
        frame.loc[frame.index[-1], "market_cap"] = cap
    return frame


def build_prices(stocks: pd.DataFrame) -> pd.DataFrame:
    parts = [price_rows(c, n, close, ret, ytd, None, 0.009) for c, n, close, ret, ytd in INDICES]
    parts += [price_rows(code, s["name"], s["close"], s["ret"], s["ytd"], s["cap"], 0.022)
              for code, s in stocks.iterrows()]
    return pd.concat(parts, ignore_index=True)


def prev_for(cur: float, g: float) -> float | None:
    """The base b with (cur - b) / |b| == g, or None if no base of either sign works."""
    if 1 + g != 0 and cur / (1 + g) > 0:
        return cur / (1 + g)
    if cur / (1 - g) < 0:
        return cur / (1 - g)
    return None


def hit_sum(raw: np.ndarray, target: float) -> np.ndarray:
    """Scale the positive (or else the negative) entries so that the total is ``target``."""
    pos, neg = raw[raw > 0].sum(), raw[raw < 0].sum()
    if pos > 0 and (target - neg) / pos > 0:
        return np.where(raw > 0, raw * (target - neg) / pos, raw)
    return np.where(raw < 0, raw * (target - pos) / neg, raw)


def history(code: str, a23: tuple[float, float], a22: tuple[float, float], q: tuple[float, ...],
            ttm: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """Periods of one A-share company: (revenue, net profit) per period; 2020A/2021A are calibrated later."""
    grow = RNG.uniform(0.85, 1.1, 2)
    a21 = (a22[0] * grow[0], a22[1] * grow[1])
    a20 = (a21[0] * RNG.uniform(0.6, 1.0), abs(a21[1]) * RNG.uniform(0.6, 1.4))
    return {"2020A": a20, "2021A": a21, "2022A": a22, "2023A": a23, "2023Q1": (q[0], q[1]),
            "2024Q1": (q[2], q[3]), "TTM": ttm}


def domestic(row: list[str]) -> dict[str, tuple[float, float]]:
    """Back-solve one seed table 4 row: growth rates, PE/PS(TTM) and market cap fix the financials."""
    g_rev, g_np, q_rev, q_np = (float(x.replace(",", "")) / 100 for x in row[2:6])
    cap, pe, ps = float(row[6].replace(",", "")), row[7], float(row[8])
    rev_ttm = cap / ps
    q23r = 0.2 * rev_ttm
    a23r = rev_ttm - q23r * q_rev
    np_ttm = cap / float(pe) if pe != "-" else -cap * RNG.uniform(0.03, 0.08)
    for m in (0.15, 0.25, 0.4, 0.6, 1.0, 1.5, 2.5, 4.0, 8.0, 0.1, 0.05, 0.03, 0.02):
        a = m * abs(np_ttm)
        a23 = np_ttm - a * q_np  # TTM = 2023A - 2023Q1 + 2024Q1 with 2024Q1 - 2023Q1 = |2023Q1| * growth
        a22 = prev_for(a23, g_np)
        if a22 is not None and a23 != 0:
            q23 = a if a23 > 0 else -a
            q = (q23r, q23, q23r * (1 + q_rev), q23 + a * q_np)
            return history(row[0], (a23r, a23), (a23r / (1 + g_rev), a22), q, (rev_ttm, np_ttm))
    raise SystemExit(f"cannot back-solve financials of {row[0]}")


def free_member(cap: float, rev_ttm: float, np_ttm: float) -> dict[str, tuple[float, float]]:
    a23 = (rev_ttm * RNG.uniform(0.85, 1.05), np_ttm + abs(np_ttm) * RNG.uniform(-0.15, 0.15))
    q23 = (0.2 * a23[0], 0.2 * a23[1])
    q = (q23[0], q23[1], rev_ttm - a23[0] + q23[0], np_ttm - a23[1] + q23[1])
    a22 = (a23[0] / RNG.uniform(0.8, 1.3), a23[1] * RNG.uniform(0.6, 1.4))
    return history("", a23, a22, q, (rev_ttm, np_ttm))


def overseas(row: list[str]) -> dict[str, tuple[float, float]]:
    """Back-solve one seed table 5 row. The interim is H1 when the seed prints it, else Q1."""
    cap, pe, ps, g1y = float(row[6]), float(row[7]), float(row[8]), float(row[5]) / 100
    fy = (cap / ps, cap / pe)
    if row[2]:
        s, i24 = "H1", (float(row[2]), float(row[4]))
        i23 = (i24[0] / (1 + float(row[3]) / 100), i24[1] * RNG.uniform(0.75, 0.95))
    else:
        s, i23 = "Q1", (fy[0] * 0.23, fy[1] * 0.22)
        i24 = (i23[0] * 1.1, i23[1] * 1.15)
    ttm = (fy[0] - i23[0] + i24[0], fy[1] - i23[1] + i24[1])
    ttm_prev = prev_for(ttm[1], g1y)
    if ttm_prev is None:
        raise SystemExit(f"cannot back-solve the TTM growth of {row[0]}")
    i22 = (i23[0] / 1.08, i23[1] * RNG.uniform(0.8, 1.2))
    fy22 = (fy[0] / 1.08, ttm_prev + i22[1] - i23[1])
    return {"2022A": fy22, "2023A": fy, f"2022{s}": i22, f"2023{s}": i23, f"2024{s}": i24, "TTM": ttm}


def build_financials(stocks: pd.DataFrame, cons: pd.DataFrame) -> pd.DataFrame:
    data = {r[0]: domestic(r) for r in parse(T4)}
    member_codes = list(cons["code"])
    free = [c for c in member_codes if c not in data]
    caps = stocks.loc[free, "cap"].to_numpy(dtype=float)
    rev_raw = caps / RNG.uniform(2, 8, len(free))
    fixed = [data[c]["TTM"] for c in member_codes if c in data]
    rev = rev_raw * (TOTAL_CAP / PS_TTM - sum(f[0] for f in fixed)) / rev_raw.sum()
    nps = hit_sum(rev * RNG.uniform(-0.25, 0.12, len(free)), TOTAL_CAP / PE_TTM - sum(f[1] for f in fixed))
    for code, cap, r, n in zip(free, caps, rev, nps, strict=True):
        data[code] = free_member(cap, r, n)
    for i, ratio in ((0, (1 + REV_CAGR) ** 3), (1, (1 + NP_CAGR) ** 3)):  # Σ2023A / Σ2020A over members
        raw = np.array([data[c]["2020A"][i] for c in member_codes])
        target = sum(data[c]["2023A"][i] for c in member_codes) / ratio
        scaled = raw * target / raw.sum() if i == 0 else hit_sum(raw, target)
        for code, value in zip(member_codes, scaled, strict=True):
            pair = list(data[code]["2020A"])
            pair[i] = float(value)
            data[code]["2020A"] = (pair[0], pair[1])
    data |= {r[0]: overseas(r) for r in parse(T5)}
    currency = {c: "USD" if c.endswith(".O") else "CNY" for c in data}
    rows = [(c, stocks.at[c, "name"], p, round(v[0], 8), round(v[1], 8), currency[c])
            for c, periods in data.items() for p, v in sorted(periods.items())]
    return pd.DataFrame(rows, columns=["code", "name", "period", "revenue", "net_profit", "currency"])


def build_funds() -> tuple[pd.DataFrame, pd.DataFrame]:
    info, navs = [], []
    for code, name, kind, size, nav, *rets in parse(T3):
        info.append((code, name, kind, float(size)))
        end = round(float(nav) + RNG.uniform(-0.004, 0.004), 4)
        end = end if f"{end:.2f}" == nav else float(nav)
        if code in FUND_NEW:
            days = DAYS[DAYS.searchsorted(pd.Timestamp("2024-07-08")):]
            anchors = {days[0]: round(end / RNG.uniform(0.97, 1.03), 4), D_END: end}
        else:
            days = DAYS
            jan = solve_base(end, rets[2])
            anchors = {D_DEC: round(jan * RNG.uniform(0.9, 1.1), 4), D_JAN: jan, D_APR: solve_base(end, rets[1]),
                       D_JUN: solve_base(end, rets[0]), D_END: end}
        path = bridge(anchors, days, 0.012, 4)
        navs.append(pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "fund_code": code, "nav": path}))
    funds = pd.DataFrame(info, columns=["fund_code", "fund_name", "fund_type", "size"])
    return funds, pd.concat(navs, ignore_index=True)


PACK_YAML = """\
# July 2024 sample pack, back-solved from the seed report (see README.md). Generated by
# scripts/make_sample_pack.py: edit the script, not this file.
month: 2024-07
series: 人工智能月报
industry: 计算机行业
rating: 推荐
rating_action: 维持评级
institution: 中国银河证券研究院
data_vendor: Wind
# the report headline is the analyst's: views.yaml (title)
legal_entity: 中国银河证券股份有限公司
qualification: 中国银河证券股份有限公司已具备中国证监会批复的证券投资咨询业务资格。
contacts:
  - 中国银河证券股份有限公司研究院
  - 深圳市福田区金田路3088号中洲大厦20层
  - 上海浦东新区富城路99号震旦大厦31层
  - 北京市丰台区西营街8号院1号楼青海金融大厦
  - 公司网址：www.chinastock.com.cn
theme_index: {{code: {theme[0]}, name: {theme[1]}}}
sector_index: {{code: {sector[0]}, name: {sector[1]}}}
benchmarks:
{benchmarks}
top_n: 10
watchlists:
  domestic: [{domestic}]
  overseas: [{overseas}]
funds: [{funds}]
analysts:
  - name: 吴砚靖
    role: 分析师
    phone: "(8610) 66568589"
    email: wuyanqing@example.com
    certificate: S0130519070001
    title: TMT/科创板研究负责人
    bio: 北京大学软件项目管理硕士，10年证券分析从业经验，历任中银国际证券首席分析师，国内大型知名PE机构研究部执行总经理。具备一二级市场经验，长期专注科技公司研究。
  - name: 鲁佩
    role: 分析师
    phone: "(021) 20257809"
    email: lupei@example.com
    certificate: S0130521060001
    title: 机械行业首席分析师
    bio: 伦敦政治经济学院经济学硕士，证券从业9年，2021年加入中国银河证券研究院。曾获新财富最佳分析师、IAMAC最受欢迎卖方分析师、万得金牌分析师、中证报最佳分析师、Choice最佳分析师、金翼奖等。
  - name: 胡天昊
    role: 研究助理
    phone: "(8610) 80927637"
    email: hutianhao@example.com
"""


def pack_yaml() -> str:
    benchmarks = "\n".join(f"  - {{code: {c}, name: {n}}}" for c, n, *_ in INDICES[2:])
    return PACK_YAML.format(
        theme=THEME, sector=SECTOR, benchmarks=benchmarks,
        domestic=", ".join(r[0] for r in parse(T4)), overseas=", ".join(r[0] for r in parse(T5)),
        funds=", ".join(f'"{r[0]}"' for r in parse(T3)))


def verify(out: Path) -> list[str]:
    """Recompute the tables from the written pack; return every published figure that is not reproduced."""
    from assistant.pack import load_pack
    from assistant.tables import compute_tables

    ts = compute_tables(load_pack(out))
    problems = []
    for table_id, block in (("T1", T1), ("T2", T2), ("T3", T3), ("T4", T4), ("T5", T5)):
        table = ts.table(table_id)
        got = table.rows if table else []
        for want, have in zip(parse(block), got, strict=False):
            want = want + [""] * (len(have) - len(want))
            if want != have:
                problems.append(f"{table_id}: want {want} got {have}")
        if len(got) != len(parse(block)):
            problems.append(f"{table_id}: {len(got)} rows, want {len(parse(block))}")
    expected = {"theme_index.close": "5257.12", "theme_index.return": "0.52%", "sector_index.close": "3037.17",
                "sector_index.return": "-0.30%", "benchmark.000001.SH.return": "-0.97%",
                "benchmark.000300.SH.return": "-0.57%", "benchmark.399006.SZ.return": "0.28%",
                "constituents.count": "71", "constituents.board.主板": "14", "constituents.board.创业板": "30",
                "constituents.board.科创板": "8", "constituents.board.中小板": "19",
                "constituents.market_cap": "13070.32", "valuation.revenue_cagr": "13.33%",
                "valuation.profit_cagr": "-8.33%", "valuation.pe_ttm": "62.33", "valuation.ps_ttm": "3.09"}
    problems += [f"fact {k}: want {v} got {ts.facts.get(k)}" for k, v in expected.items() if ts.facts.get(k) != v]
    return problems


def write(out: Path, frames: dict[str, pd.DataFrame]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "pack.yaml").write_text(pack_yaml(), encoding="utf-8")
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cons = members()
    stocks = stock_specs(cons)
    funds, navs = build_funds()
    frames = {"prices": build_prices(stocks), "constituents": cons,
              "financials": build_financials(stocks, cons), "funds": funds, "fund_navs": navs}
    write(args.out, frames)
    problems = verify(args.out)
    for line in problems:
        print(line, file=sys.stderr)
    print(f"wrote {args.out}: {len(cons)} constituents, {len(frames['prices'])} price rows; "
          f"{'FAILED' if problems else 'all published figures reproduced'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
