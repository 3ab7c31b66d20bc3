"""Write further report months (pack + corpus + optional views.yaml + truth.yaml) that stress what July does not.

Each month is described in ``scripts/months/<name>.yaml``: its news items (hand-written, varied Chinese news and
some English wire copy), the analyst's outline when the month has one, the shape of its market (rally, few
decliners, loss-making index) and which pack keys it lacks. This script turns a description into the contract's
files. ``truth.yaml`` is written from the description alone (which item belongs in which section and table, key
facts, funding cells, non-financing items, policy levels/issuers, each thesis's supporting items), never from
drafting code, so it can judge a draft. Its ``facts``/``items``/``funding`` keys follow the July gold
(``assistant.evaluation.quality.QualityGold``).

Deterministic: the same description always gives byte-identical files (seeded walks, no clock).

    python scripts/make_months.py --out DIR [--only NAME ...]

Importable: ``build_months(out_dir, names=None) -> list[Path]``.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import json
import math
import random
import zlib
from pathlib import Path
from typing import Any

import yaml

__all__ = ["MONTHS_DIR", "build_month", "build_months", "month_names"]

MONTHS_DIR = Path(__file__).resolve().parent / "months"
YEAR_START = dt.date(2023, 12, 29)  # last trading day of the previous year for every 2024 month
HOLIDAYS = {dt.date(2024, m, d) for m, d in ((1, 1), (2, 9), (2, 12), (2, 13), (2, 14), (2, 15), (2, 16), (4, 4),
                                              (4, 5), (5, 1), (5, 2), (5, 3), (6, 10), (9, 16), (9, 17), (10, 1),
                                              (10, 2), (10, 3), (10, 4), (10, 7))}
THEME, SECTOR = ("884201.WI", "人工智能指数"), ("801750.SI", "计算机行业指数")
BENCHMARKS = [("000001.SH", "上证综指"), ("000300.SH", "沪深300"), ("399006.SZ", "创业板指")]
# Index members: code, name, board, start close, shares (亿) -> market cap = close x shares
MEMBERS = [
    ("688256.SH", "寒武纪-U", "科创板", 160.0, 4.17), ("603019.SH", "中科曙光", "主板", 42.0, 14.6),
    ("002230.SZ", "科大讯飞", "中小板", 46.0, 23.1), ("000977.SZ", "浪潮信息", "主板", 34.0, 14.7),
    ("300418.SZ", "昆仑万维", "创业板", 38.0, 12.2), ("002415.SZ", "海康威视", "中小板", 34.5, 92.3),
    ("601360.SH", "三六零", "主板", 9.2, 70.0), ("688088.SH", "虹软科技", "科创板", 37.0, 4.0),
    ("300229.SZ", "拓尔思", "创业板", 21.0, 8.6), ("002236.SZ", "大华股份", "中小板", 20.0, 32.9),
    ("300474.SZ", "景嘉微", "创业板", 80.0, 5.2), ("688207.SH", "格灵深瞳", "科创板", 24.0, 2.6),
    ("300624.SZ", "万兴科技", "创业板", 75.0, 1.9), ("002362.SZ", "汉王科技", "中小板", 23.0, 2.4),
]
OVERSEAS = [("NVDA.O", "英伟达", 49.5, 245.3, "USD"), ("MSFT.O", "微软", 376.0, 74.3, "USD"),
            ("META.O", "脸书", 354.0, 25.3, "USD"), ("GOOGL.O", "谷歌", 139.7, 122.0, "USD"),
            ("0700.HK", "腾讯控股", 293.6, 93.0, "HKD"), ("9988.HK", "阿里巴巴", 75.5, 193.0, "HKD")]
FUNDS = [("001986", "前海开源人工智能", "契约型开放式", "6.64", 1.08), ("005729", "南方人工智能主题", "契约型开放式",
                                                                      "3.73", 0.92),
         ("515070", "华夏中证人工智能主题ETF", "交易型开放式", "24.10", 1.31),
         ("159819", "易方达中证人工智能主题ETF", "交易型开放式", "35.52", 0.74)]
FUNDING_KEYS = ("融资方", "赛道", "简介", "融资日期", "融资轮次", "融资金额", "本轮投资方")


def month_names(months_dir: Path = MONTHS_DIR) -> list[str]:
    return sorted(p.stem for p in months_dir.glob("*.yaml"))


def _spec(name: str, months_dir: Path) -> dict[str, Any]:
    data = yaml.safe_load((months_dir / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "month" not in data:
        raise ValueError(f"{months_dir / name}.yaml: 缺少 month")
    return data


def trading_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def _prev_month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, 1) - dt.timedelta(days=1)


def _bridge(rng: random.Random, a: float, b: float, n: int, vol: float) -> list[float]:
    """n+1 log-levels from a to b with noise pinned to zero at both ends (a Brownian bridge)."""
    walk = [0.0]
    for _ in range(n):
        walk.append(walk[-1] + rng.gauss(0.0, vol))
    return [a + (b - a) * i / n + walk[i] - walk[n] * i / n for i in range(n + 1)] if n else [a]


def _path(rng: random.Random, days: list[dt.date], anchor: dt.date, start: float, at_anchor: float,
          end: float) -> list[float]:
    """Closes over ``days``: start on the first day, ``at_anchor`` on the previous month's end, ``end`` last."""
    k = max(i for i, d in enumerate(days) if d <= anchor)
    head = _bridge(rng, math.log(start), math.log(at_anchor), k, 0.012)
    tail = _bridge(rng, math.log(at_anchor), math.log(end), len(days) - 1 - k, 0.012)
    return [round(math.exp(x), 2) for x in head + tail[1:]]


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _financials(market: dict[str, Any], rng: random.Random) -> list[list[object]]:
    """Revenue/profit per member; ``profit``: normal, tiny (aggregate TTM just above zero: PE in the thousands)
    or loss (aggregate TTM negative)."""
    mode = market.get("profit", "normal")
    rows: list[list[object]] = []
    for i, (code, name, _, _, _) in enumerate(MEMBERS):
        rev = round(rng.uniform(8, 400), 2)
        profit = round(rev * rng.uniform(0.03, 0.15), 2)
        ttm = profit * 1.05
        if mode == "loss":
            ttm = -abs(profit) * (2.5 if i % 3 == 0 else 0.6)
        elif mode == "tiny":
            ttm = (0.9 if i == 0 else -0.42) if i < 2 else (0.35 if i % 2 else -0.33)
        for j, period in enumerate(("2020A", "2021A", "2022A", "2023A")):
            g = 0.8 + 0.07 * j
            rows.append([code, name, period, round(rev * g, 2), round(profit * g, 2), "CNY"])
        rows += [[code, name, "2023H1", round(rev * 0.45, 2), round(profit * 0.4, 2), "CNY"],
                 [code, name, "2024H1", round(rev * 0.5, 2), round(ttm * 0.45, 2), "CNY"],
                 [code, name, "2023Q1", round(rev * 0.21, 2), round(profit * 0.18, 2), "CNY"],
                 [code, name, "2024Q1", round(rev * 0.23, 2), round(ttm * 0.2, 2), "CNY"],
                 [code, name, "TTM", round(rev * 1.08, 2), round(ttm, 2), "CNY"]]
    for code, name, _, _, cur in OVERSEAS:
        rev = round(rng.uniform(300, 2500), 2)
        for j, period in enumerate(("2020A", "2021A", "2022A", "2023A", "TTM")):
            rows.append([code, name, period, round(rev * (0.7 + 0.1 * j), 2), round(rev * 0.2 * (0.7 + 0.1 * j), 2),
                         cur])
    return rows


def write_pack(spec: dict[str, Any], pack: Path) -> None:
    month, market = str(spec["month"]), spec.get("market") or {}
    rng = random.Random(_seed(spec["name"], month))
    days = trading_days(YEAR_START, _month_end(month))
    anchor = _prev_month_end(month)
    rows: list[list[object]] = []
    rets: list[float] = [float(r) for r in market["member_returns"]]
    if len(rets) != len(MEMBERS):
        raise ValueError(f"{spec['name']}: member_returns 需要 {len(MEMBERS)} 个数")
    levels = [(THEME, 5755.55, float(market["theme_ytd_before"]), float(market["theme_return"])),
              (SECTOR, 3680.0, float(market.get("sector_ytd_before", -15)), float(market.get("sector_return", 0))),
              *[(b, lvl, float(market.get("bench_ytd_before", 0)), float(r))
                for b, lvl, r in zip(BENCHMARKS, (2974.93, 3431.11, 1891.37), market.get("bench_returns", [0, 0, 0]),
                                     strict=True)]]
    for (code, name), start, ytd, ret in levels:
        before = start * (1 + ytd / 100)
        for day, close in zip(days, _path(rng, days, anchor, start, before, before * (1 + ret / 100)), strict=True):
            rows.append([day.isoformat(), code, name, close, ""])
    for (code, name, _, start, shares), ret in zip(MEMBERS, rets, strict=True):
        before = start * rng.uniform(0.7, 1.2)
        for day, close in zip(days, _path(rng, days, anchor, start, before, before * (1 + ret / 100)), strict=True):
            rows.append([day.isoformat(), code, name, close, round(close * shares, 2)])
    for code, name, start, shares, _ in OVERSEAS:
        before = start * rng.uniform(0.9, 1.6)
        path = _path(rng, days, anchor, start, before, before * (1 + rng.uniform(-8, 8) / 100))
        for day, close in zip(days, path, strict=True):
            rows.append([day.isoformat(), code, name, close, round(close * shares, 2)])
    pack.mkdir(parents=True, exist_ok=True)
    _write_csv(pack / "prices.csv", ["date", "code", "name", "close", "market_cap"], rows)
    _write_csv(pack / "constituents.csv", ["index_code", "code", "name", "board"],
               [[THEME[0], c, n, b] for c, n, b, _, _ in MEMBERS])
    _write_csv(pack / "financials.csv", ["code", "name", "period", "revenue", "net_profit", "currency"],
               _financials(market, rng))
    _write_csv(pack / "funds.csv", ["fund_code", "fund_name", "fund_type", "size"],
               [[c, n, t, s] for c, n, t, s, _ in FUNDS])
    navs: list[list[object]] = []
    for code, _, _, _, nav0 in FUNDS:
        end = nav0 * (1 + float(market["theme_ytd_before"]) / 100) * (1 + float(market["theme_return"]) / 100)
        path = _path(rng, days, anchor, nav0, nav0 * (1 + float(market["theme_ytd_before"]) / 100), end)
        navs += [[d.isoformat(), code, round(v / 1, 4)] for d, v in zip(days, path, strict=True)]
    _write_csv(pack / "fund_navs.csv", ["date", "fund_code", "nav"], navs)
    config: dict[str, Any] = {
        "month": month, "series": "人工智能月报", "industry": "计算机行业", "rating": "推荐",
        "rating_action": "维持评级", "institution": spec.get("institution", "示例证券研究院"),
        "legal_entity": "示例证券股份有限公司", "qualification": "示例证券股份有限公司已具备中国证监会批复的证券投资咨询业务资格。",
        "contacts": ["示例证券股份有限公司研究院", "北京市西城区金融大街 1 号", "公司网址：www.example.com"],
        "theme_index": {"code": THEME[0], "name": THEME[1]}, "sector_index": {"code": SECTOR[0], "name": SECTOR[1]},
        "benchmarks": [{"code": c, "name": n} for c, n in BENCHMARKS], "top_n": int(market.get("top_n", 10)),
        "watchlists": {"domestic": [m[0] for m in MEMBERS[:8]], "overseas": [o[0] for o in OVERSEAS]},
        "funds": [f[0] for f in FUNDS],
        "analysts": [{"name": "林知远", "role": "分析师", "phone": "(010) 6656 0001", "email": "linzy@example.com",
                      "certificate": "S0000524010001"}],
    }
    for key in spec.get("pack_without") or []:
        config.pop(key, None)
    (pack / "pack.yaml").write_text(
        f"# {spec['name']}: generated by scripts/make_months.py from scripts/months/{spec['name']}.yaml\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if spec.get("views"):
        (pack / "views.yaml").write_text(yaml.safe_dump(spec["views"], allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")


def _item_date(month: str, item: dict[str, Any]) -> dt.date:
    if item.get("date"):
        return dt.date.fromisoformat(str(item["date"]))
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, int(item["day"]))


def _funding_items(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Funding items from compact rows, each written in one of several house styles (structured fields,
    a 融资方： block, a press-release lead, the company named only in the body...)."""
    out = []
    for row in spec.get("funding_rows") or []:
        company, track, intro, rnd, amount, investors, day, style = (
            row["company"], row["track"], row["intro"], row["round"], row["amount"], row["investors"], row["day"],
            row["style"])
        inv = "、".join(investors)
        named_round = rnd if rnd.endswith("融资") else f"{rnd}融资"  # "战略融资", not "战略融资融资"
        deal = f"{amount}{named_round}"
        lead, rest = investors[0], "、".join(investors[1:])
        item: dict[str, Any] = {"key": row.get("key") or f"fund-{company}", "day": day, "category": "funding",
                                "source": row.get("source", "36氪")}
        if style == "fields":
            item |= {"title": f"{company}完成{deal}", "body": f"{company}宣布完成{deal}。{intro}。",
                     "fields": {"company": company, "sector": track, "intro": intro, "round": rnd, "amount": amount,
                                "investors": inv}}
        elif style == "block":
            item |= {"title": f"「{company}」获{deal}",
                     "body": f"融资方：{company}\n赛道：{track}\n简介：{intro}\n融资轮次：{rnd}\n融资金额：{amount}\n"
                             f"本轮投资方：{inv}"}
        elif style == "lead":
            tail = f"，{rest}跟投" if rest else ""
            item |= {"title": f"{company}完成{named_round}，{lead}领投",
                     "body": f"近日，{company}完成{deal}，本轮由{lead}领投{tail}。{intro}。"
                             f"本轮资金将主要用于产品研发和团队扩充。"}
        elif style == "anonymous":  # the company is named only in the body
            item |= {"title": row["title"],
                     "body": f"据悉，{company}近日完成{deal}，投资方为{inv}。{intro}。"}
        elif style == "quote":
            item |= {"title": f"{track}赛道再获资本青睐：{company}拿下{amount}",
                     "body": f"{company}于日前宣布完成{named_round}，融资金额{amount}，参投方包括{inv}。{intro}。"
                             f"公司创始人表示，将继续加大在{track}领域的投入。"}
        else:
            raise ValueError(f"{spec['name']}: 未知的融资条目写法 {style}")
        item["expect"] = {"section": "funding", "table": "企业投融资事件"}
        # the item is found by its headline: an item naming the company only in the body is anchored on its title
        item["anchor"] = row.get("anchor") or (row["title"] if style == "anonymous" else company)
        item["funding"] = {"融资方": company, "融资轮次": rnd, "融资金额": amount, "本轮投资方": inv}
        if style in ("fields", "block"):
            item["funding"] |= {"赛道": track, "简介": intro}
        out.append(item)
    return out


def _items(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(spec.get("items") or []), *_funding_items(spec)]


def write_corpus(spec: dict[str, Any], path: Path) -> None:
    lines = []
    for item in _items(spec):
        record: dict[str, Any] = {"id": f"{spec['name']}-{item['key']}",
                                  "date": _item_date(str(spec["month"]), item).isoformat(),
                                  "title": item["title"], "body": str(item["body"]).strip(), "source": item["source"],
                                  "url": f"https://www.example.com/{spec['name']}/{item['key']}.html"}
        if item.get("category"):
            record["category"] = item["category"]
        record |= item.get("fields") or {}
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def truth(spec: dict[str, Any]) -> dict[str, Any]:
    """What a right draft of this month holds, from the description only."""
    month = str(spec["month"])
    facts, items, funding, policy, non_financing, background = [], [], [], [], [], []
    for item in _items(spec):
        anchor = str(item.get("anchor") or item["title"])
        when = _item_date(month, item)
        expect = item.get("expect") or {}
        if expect.get("background") or when.strftime("%Y-%m") != month:
            background.append(anchor)
            continue
        if item.get("non_financing"):
            non_financing.append({"anchor": anchor, "kind": item["non_financing"]})
        if expect.get("section"):
            entry = {"anchor": anchor, "sections": [expect["section"]]}
            if expect.get("table"):
                entry["table"] = expect["table"]
            items.append(entry)
        for n, terms in enumerate(item.get("facts") or []):
            # a term "a|b" is a choice of wordings (a translated or a source figure); the others are all required
            # a policy row prints the document's name, not the headline: its facts are anchored there
            facts.append({"id": f"{item['key']}-{n}", "sections": [expect.get("section") or "other"],
                          "anchor": str(item.get("fact_anchor") or anchor), "terms": [t.split("|") if "|" in t else t for t in terms]})
        if item.get("funding"):
            funding.append({**item["funding"], "融资日期": f"{when.year}/{when.month}/{when.day}"})
        if item.get("policy"):
            policy.append({"anchor": anchor, **item["policy"]})
    theses = [{"headline": t["headline"], "supporting": list(t.get("supporting") or []),
               "unsupported_names": list(t.get("unsupported_names") or [])}
              for t in (spec.get("views") or {}).get("theses") or [] if not t.get("market")]
    market = spec.get("market") or {}
    decliners = sum(1 for r in market.get("member_returns", []) if float(r) < 0)
    return {"month": month, "name": spec["name"], "stresses": list(spec.get("stresses") or []),
            "facts": facts, "items": items, "funding": [{k: f[k] for k in FUNDING_KEYS if k in f} for f in funding],
            "non_financing": non_financing, "policy": policy, "background": background, "theses": theses,
            "market": {"theme_return_pct": float(market.get("theme_return", 0)), "decliners": decliners,
                       "gainers": len(MEMBERS) - decliners, "profit": market.get("profit", "normal")},
            "pack_without": list(spec.get("pack_without") or []), "has_outline": bool(spec.get("views"))}


def _strip_truth_keys(views: dict[str, Any]) -> dict[str, Any]:
    """views.yaml is the analyst's: the truth-only keys (supporting items, unsupported names) stay out of it."""
    out = dict(views)
    out["theses"] = [{k: v for k, v in t.items() if k not in ("supporting", "unsupported_names")}
                     for t in views.get("theses") or []]
    return out


def build_month(name: str, out_dir: Path, months_dir: Path = MONTHS_DIR) -> Path:
    spec = _spec(name, months_dir)
    spec["name"] = name
    root = Path(out_dir) / name
    root.mkdir(parents=True, exist_ok=True)
    pack_spec = dict(spec)
    if spec.get("views"):
        pack_spec["views"] = _strip_truth_keys(spec["views"])
    write_pack(pack_spec, root / "pack")
    write_corpus(spec, root / "corpus.jsonl")
    if spec.get("views"):  # the contract puts views.yaml beside pack.yaml; a copy at the month's root for readers
        (root / "views.yaml").write_text((root / "pack" / "views.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "truth.yaml").write_text(
        "# Written by scripts/make_months.py from the month's description, independently of drafting code.\n"
        + yaml.safe_dump(truth(spec), allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return root


def build_months(out_dir: Path, names: list[str] | None = None, months_dir: Path = MONTHS_DIR) -> list[Path]:
    return [build_month(n, out_dir, months_dir) for n in names or month_names(months_dir)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the months into")
    parser.add_argument("--only", nargs="*", help="month names (files in scripts/months/) to write")
    args = parser.parse_args()
    for root in build_months(args.out, args.only):
        print(root)


if __name__ == "__main__":
    main()
