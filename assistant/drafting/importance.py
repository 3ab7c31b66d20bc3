"""Event importance and themes: which of the month's items a desk would lead with (pure functions).

Retrieval order says how well an item matches a query, not how much it matters. A desk weighs: the level of the
issuing authority (国务院/中央 > 部委 > 地方), the size and market relevance of the companies involved (names of the
pack's constituents and watchlists, and the global AI leaders), the money involved, how many independent publishers
covered the same event, and the kind of news. ``rank_items`` scores each item on those signals and says why;
``cluster_themes`` groups the ranked items into themes that can seed proposed theses when there is no outline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from assistant.models import NewsItem

__all__ = ["RankedItem", "Theme", "cluster_themes", "event_groups", "money_yi", "normalise_name", "rank_items"]


class RankedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    doc_id: str
    score: float
    reasons: tuple[str, ...]  # Chinese, one per signal that counted, e.g. "中央级政策"
    event: str = ""           # doc_id of the first item of the same event (itself when alone)
    sources: int = 1          # independent publishers covering the event


class Theme(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    doc_ids: tuple[str, ...]  # most important first
    score: float


_CENTRAL = re.compile(r"国务院|中共中央|党中央|中央政治局|全国人大|全国人民代表大会|三中全会|中央委员会|国新办|国务院新闻办")
_MINISTRY = re.compile(
    r"工业和信息化部|工信部|国家发展改革委|国家发展和改革委员会|发改委|国家数据局|网信办|国家互联网信息办公室|科技部|"
    r"科学技术部|财政部|商务部|教育部|交通运输部|公安部|自然资源部|住房和城乡建设部|国家标准化管理委员会|国家标准委|"
    r"市场监管总局|国家市场监督管理总局|中国人民银行|证监会|金融监管总局|国资委|[二三四五六七八九十]+部门|十[一二三四五六七八九]部门")
_LOCAL = re.compile(r"[\u4e00-\u9fff]{2,6}(?:省|市|区|县)(?:人民政府|政府|委|办|厅|局)?|长三角|粤港澳|京津冀")
_POLICY_WORDS = re.compile(r"印发|发布.{0,12}(?:方案|意见|通知|办法|指南|规划|决定|条例)|《[^》]{2,60}》|出台|施行|试点")

# Market relevance beyond the pack: the companies whose moves set the month's agenda for an AI desk.
_LEADERS = ("OpenAI", "Anthropic", "Meta", "谷歌", "Google", "DeepMind", "微软", "Microsoft", "英伟达", "NVIDIA",
            "苹果", "Apple", "亚马逊", "Amazon", "AWS", "华为", "阿里", "腾讯", "百度", "字节", "商汤", "智谱",
            "月之暗面", "Mistral", "xAI", "三星", "台积电", "AMD", "英特尔", "Intel", "博通", "高通", "特斯拉")
# The same listed company under its other common names, so a pack name matches the headline's wording.
_ALIASES = {"英伟达": ("NVIDIA", "Nvidia"), "微软": ("Microsoft",), "谷歌": ("Google", "DeepMind"),
            "脸书": ("Meta",), "苹果": ("Apple",), "特斯拉": ("Tesla",), "百度": ("Baidu", "萝卜快跑"),
            "阿里巴巴": ("阿里", "Alibaba"), "腾讯控股": ("腾讯", "Tencent"), "商汤": ("SenseTime",),
            "高通": ("Qualcomm",), "科大讯飞": ("讯飞", "星火")}

_CATEGORY_WEIGHT = {"policy": 1.0, "llm_foreign": 1.0, "llm_domestic": 0.9, "compute": 0.9, "data_policy": 0.8,
                    "tech_frontier": 0.7, "product": 0.7, "funding": 0.6, "data_exchange": 0.5, "other": 0.0}
_CATEGORY_THEME = {"policy": "政策与改革", "data_policy": "数据要素", "data_exchange": "数据要素",
                   "llm_domestic": "大模型", "llm_foreign": "大模型", "compute": "算力与 AI 芯片",
                   "tech_frontier": "前沿技术", "product": "AI 产品与应用", "funding": "一级市场投融资"}

# Money only: a unit of currency must follow, so "1230 亿参数" or "700 万用户" never count.
_AMOUNT = re.compile(r"(超|近|逾|约)?\s*(\d+(?:\.\d+)?|数十|数百|数)\s*(万亿|千亿|百亿|亿|千万|百万|万)\s*(美元|人民币|元)")
_BILLION = re.compile(r"\$\s*(\d+(?:\.\d+)?)\s*(billion|million|bn|m)\b", re.IGNORECASE)
_UNIT_YI = {"万亿": 1e4, "千亿": 1e3, "百亿": 1e2, "亿": 1.0, "千万": 0.1, "百万": 0.01, "万": 1e-4}
_VAGUE = {"数": 3.0, "数十": 30.0, "数百": 300.0}
USD_CNY = 7.0  # order of magnitude is all the ranking needs

_BOILERPLATE = re.compile(r"融资金额|完成|宣布|发布|推出|正式|轮融资|融资|人民币|美元|亿元|全球首个|国内首个|首个|"
                         r"[\d.]+\s*(?:亿|万)?|[A-F]\+*\s*轮|天使\+?\s*轮|Pre-?[A-F]|战略")
_GENERIC_LATIN = frozenset({"the", "and", "for", "with", "new", "model", "models", "open"})
_SUFFIX = re.compile(r"[-－](?:U|W|UW|WD|S)$|(?:股份有限公司|有限公司|股份|集团|控股)$")
_CJK_OR_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]+|[\u4e00-\u9fff]+|\d+(?:\.\d+)?[A-Za-z]*")


def normalise_name(name: str) -> str:
    """寒武纪-U -> 寒武纪, 腾讯控股 -> 腾讯: the form a headline uses."""
    base = _SUFFIX.sub("", name.strip())
    return base if len(base) >= 2 else name.strip()


def _name_forms(pack_names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    for raw in pack_names:
        name = raw.strip()
        if not name:
            continue
        variants = {name, normalise_name(name), *_ALIASES.get(name, ()), *_ALIASES.get(normalise_name(name), ())}
        forms[name] = tuple(sorted(v for v in variants if len(v) >= 2))
    return forms


def money_yi(text: str) -> float:
    """The largest amount in ``text``, in 亿元 (dollars converted at an order-of-magnitude rate); 0 when none."""
    best = 0.0
    for m in _AMOUNT.finditer(text):
        count = _VAGUE.get(m.group(2)) or float(m.group(2))
        value = count * _UNIT_YI[m.group(3)] * (USD_CNY if m.group(4) == "美元" else 1.0)
        best = max(best, value)
    for m in _BILLION.finditer(text):
        value = float(m.group(1)) * (10.0 if m.group(2).lower() in ("billion", "bn") else 0.01) * USD_CNY
        best = max(best, value)
    return best


def _event_terms(title: str) -> set[str]:
    """CJK bigrams and whole Latin names of a headline, without the words every headline of its kind shares."""
    plain = _BOILERPLATE.sub(" ", title)
    terms = {t.lower() for t in re.findall(r"[A-Za-z][A-Za-z0-9.\-]{2,}", plain)} - _GENERIC_LATIN
    for run in re.findall(r"[\u4e00-\u9fff]+", plain):
        terms |= {run[i:i + 2] for i in range(len(run) - 1)}
    return terms


def _same_event(a: NewsItem, b: NewsItem) -> bool:
    if a.duplicate_of == b.doc_id or b.duplicate_of == a.doc_id:
        return True
    if abs((a.date - b.date).days) > 3:
        return False
    ga, gb = _event_terms(a.title), _event_terms(b.title)
    if not ga or not gb:
        return False
    common = (ga & gb) - {"模型", "大模", "芯片", "智能"}  # every AI headline shares these
    shared = len(common) / min(len(ga), len(gb))
    # distinctive Latin names (Llama, GPT-4o) shared by both headlines identify one event across wordings
    latin = {t for t in common if t.isascii()}
    return shared >= 0.5 or len(latin) >= 2 or (bool(latin) and shared >= 0.45)


def event_groups(items: Sequence[NewsItem]) -> dict[str, str]:
    """doc_id -> the doc_id of the first item (by date, then id) reporting the same event."""
    ordered = sorted(items, key=lambda i: (i.date, i.doc_id))
    head: dict[str, str] = {}
    for i, item in enumerate(ordered):
        head.setdefault(item.doc_id, item.doc_id)
        for other in ordered[i + 1:]:
            if other.doc_id not in head and _same_event(item, other):
                head[other.doc_id] = head[item.doc_id]
    return head


def _policy_level(item: NewsItem) -> tuple[float, str]:
    text = f"{item.source} {item.title}"
    is_policy = item.category in ("policy", "data_policy") or bool(_POLICY_WORDS.search(item.title))
    if not is_policy:
        return 0.0, ""
    if _CENTRAL.search(text):
        return 3.0, "中央级政策"
    if _MINISTRY.search(text):
        return 2.0, "部委级政策"
    if _LOCAL.search(text):
        return 0.8, "地方政策"
    return 0.5, "政策"


def _relevance(item: NewsItem, forms: dict[str, tuple[str, ...]]) -> tuple[float, list[str]]:
    in_title = [n for n, vs in forms.items() if any(v in item.title for v in vs)]
    in_body = [n for n, vs in forms.items() if n not in in_title and any(v in item.body for v in vs)]
    leaders = [n for n in _LEADERS if n in item.title and not any(n in forms.get(p, ()) for p in in_title)]
    score = min(len(in_title), 2) * 1.2 + min(len(in_body), 3) * 0.3 + min(len(leaders), 2) * 0.8
    reasons = [f"涉及关注公司：{'、'.join(in_title + in_body)[:40]}"] if in_title or in_body else []
    if leaders:
        reasons.append(f"涉及行业龙头：{'、'.join(leaders[:3])}")
    return score, reasons


def _money(item: NewsItem) -> tuple[float, str]:
    yi = money_yi(f"{item.title}。{item.body[:300]}")
    if yi <= 0:
        return 0.0, ""
    return min(2.0, 0.6 + 0.5 * math.log10(1.0 + yi)), f"涉及金额约 {yi:g} 亿元"


def rank_items(items: Sequence[NewsItem], pack_names: Iterable[str] = ()) -> list[RankedItem]:
    """Items by importance, most important first (ties: newer first, then doc_id) — never retrieval order."""
    forms = _name_forms(pack_names)
    heads = event_groups(items)
    publishers: dict[str, set[str]] = {}
    for item in items:
        publishers.setdefault(heads[item.doc_id], set()).add(item.source)
    ranked = []
    for item in items:
        reasons: list[str] = []
        category = item.category or "other"
        score = _CATEGORY_WEIGHT.get(category, 0.3)
        level, why = _policy_level(item)
        score += level
        reasons += [why] if why else []
        rel, why_rel = _relevance(item, forms)
        score += rel
        reasons += why_rel
        money, why_money = _money(item)
        score += money
        reasons += [why_money] if why_money else []
        head = heads[item.doc_id]
        n_sources = len(publishers[head])
        if n_sources > 1:
            score += min(2.0, 0.8 * (n_sources - 1))
            reasons.append(f"{n_sources} 家媒体报道")
        if "instruction_like" in item.flags:
            score, reasons = -1.0, ["含指令性文字，不作为要闻"]
        ranked.append(RankedItem(doc_id=item.doc_id, score=round(score, 3), reasons=tuple(reasons), event=head,
                                 sources=n_sources))
    dates = {i.doc_id: i.date.toordinal() for i in items}
    return sorted(ranked, key=lambda r: (-r.score, -dates[r.doc_id], r.doc_id))


_GENERIC = frozenset({"发布", "推出", "完成", "宣布", "正式", "人工智能", "智能", "全球", "国内", "首个", "新一代", "模型",
                      "公司", "技术", "产品", "融资", "亿元", "人民币", "美元", "金额", "融资金额", "平台", "加快",
                      "推动", "国内首个", "全球首个", "系列", "成功", "举办", "启动", "中国", "上线", "开源", "新", "ai",
                      "轮融资", "资金额", "融资金"})


def _terms(title: str) -> set[str]:
    terms = set()
    for token in _CJK_OR_WORD.findall(_BOILERPLATE.sub(" ", title)):
        if re.fullmatch(r"[\u4e00-\u9fff]+", token):
            # CJK runs have no word breaks: take 2-4 character pieces so 大模型 and 数据要素 surface
            terms |= {token[i:i + n] for n in (2, 3, 4) for i in range(len(token) - n + 1)}
        elif len(token) >= 2:
            terms.add(token.lower())
    return {t for t in terms if t not in _GENERIC and not re.fullmatch(r"[\d.]+", t)}


def _label(term: str, group: list[RankedItem], members: dict[str, list[RankedItem]]) -> str:
    """The longest term containing ``term`` that most of the group's headlines share (数据 -> 数据要素)."""
    ids = {m.doc_id for m in group}
    longer = [u for u in members if term in u and u != term
              and len(ids & {m.doc_id for m in members[u]}) >= max(2, 0.6 * len(ids))]
    return max(longer, key=lambda u: (len(ids & {m.doc_id for m in members[u]}), len(u), u)) if longer else term


def cluster_themes(ranked: Sequence[RankedItem], items: dict[str, NewsItem] | Sequence[NewsItem], *,
                   max_themes: int = 6, min_items: int = 2) -> list[Theme]:
    """Group ranked items into themes, most important theme first.

    A theme is a term shared by the headlines of several important items (大模型, 数据要素, Llama); items no term
    gathers fall back to their category's theme. Each item belongs to one theme; "other" items and items ranked
    below zero are left out.
    """
    by_id = items if isinstance(items, dict) else {i.doc_id: i for i in items}
    pool = [r for r in ranked if r.score > 0 and r.doc_id in by_id and (by_id[r.doc_id].category or "other")
            != "other"]
    terms = {r.doc_id: _terms(by_id[r.doc_id].title) for r in pool}
    themes: list[Theme] = []
    # funding rounds share their headline boilerplate, not a subject: they form their category's theme
    left = [r for r in pool if by_id[r.doc_id].category != "funding"]
    rest = [r for r in pool if by_id[r.doc_id].category == "funding"]
    while left and len(themes) < max_themes:
        weight: dict[str, float] = {}
        members: dict[str, list[RankedItem]] = {}
        for r in left:
            for t in terms[r.doc_id]:
                weight[t] = weight.get(t, 0.0) + r.score
                members.setdefault(t, []).append(r)
        # a longer term that covers the same items is the better label (数据要素 over 数据)
        candidates = [t for t in weight if len({m.event for m in members[t]}) >= min_items]
        if not candidates:
            break
        best = max(candidates, key=lambda t: (weight[t], len(t), t))
        group = members[best]
        themes.append(Theme(label=_label(best, group, members), doc_ids=tuple(m.doc_id for m in group),
                            score=round(sum(m.score for m in group), 3)))
        taken = {m.doc_id for m in group}
        left = [r for r in left if r.doc_id not in taken]
    by_category: dict[str, list[RankedItem]] = {}
    for r in [*left, *rest]:
        by_category.setdefault(_CATEGORY_THEME.get(by_id[r.doc_id].category or "", "其他"), []).append(r)
    for label, group in by_category.items():
        themes.append(Theme(label=label, doc_ids=tuple(m.doc_id for m in group),
                            score=round(sum(m.score for m in group), 3)))
    return sorted(themes, key=lambda t: (-t.score, t.label))[:max_themes]
