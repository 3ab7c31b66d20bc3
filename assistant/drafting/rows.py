"""Table rows read from a whole item (pure functions): funding events and policy documents.

Funding (seed table 12): the item's structured fields first (data contract section 2), then its "融资方：…"
lines, then the body. A cell that none of them fills stays blank and is named in ``missing`` so the section
reports it; a name is never cut in the middle ("亚投资本" is an investor, not "亚" + "投资").
Policy (seed table 11): only documents an authority issued become rows (中央/地方, 发布机构, 文件名称); company news
and 产学研 items are not policy documents and go to the section's "其他动态" instead.
"""

from __future__ import annotations

import re

from assistant.drafting.importance import _CENTRAL, _LOCAL, _MINISTRY

__all__ = ["FUNDING_FIELDS", "PENDING", "funding_fields", "not_a_round", "policy_fields"]

PENDING = "【待补】"  # a cell the item does not let us read: visible to the editor, named in a finding
# contract field -> the label the seed's table and the bodies' "label：value" lines use
FUNDING_FIELDS = {"company": "融资方", "sector": "赛道", "intro": "简介", "round": "融资轮次", "amount": "融资金额",
                  "investors": "本轮投资方"}
_LABELS = {"融资方": "company", "公司": "company", "赛道": "sector", "行业": "sector", "简介": "intro",
           "公司简介": "intro", "融资轮次": "round", "轮次": "round", "融资金额": "amount", "金额": "amount",
           "本轮投资方": "investors", "投资方": "investors", "投资机构": "investors"}
_LINE = re.compile(r"^\s*(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[：:]\s*(.+?)\s*$")
_ROUND = re.compile(r"((?:Pre-?)?[A-F]\d?\+{0,3}\s*轮(?:\s*&\s*(?:Pre-?)?[A-F]\d?\+{0,3}\s*轮)?|天使\+?\s*轮|"
                    r"种子\+?\s*轮|战略融资|战略投资|Pre-IPO\s*轮?|IPO|新一轮)")
_AMOUNT = re.compile(r"((?:超|近|逾|约)?\s*(?:\d+(?:\.\d+)?|数十|数百|数)\s*(?:亿|万|千万|百万)\s*(?:人民币|美元|元)?)")
_QUOTED = re.compile(r"[「“\"]([^」”\"]{2,20})[」”\"]\s*(?:宣布|正式|已|近日)*\s*(?:完成|获得?|斩获)")
_DOES_ROUND = re.compile(r"([\u4e00-\u9fffA-Za-z0-9·「」“”]{2,24}?)\s*(?:宣布|正式|已经|已|近日)*\s*(?:完成|获得?|斩获|拿下)"
                         r"[^，。；]{0,30}?(?:融资|投资|亿|万)")
_ON_DAY = re.compile(r"\s*于\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
_LEADING = re.compile(r"^(?:\d{4}\s*年)?\s*(?:\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*(?:[,，]\s*)?(?:近日|日前|今日|今天|昨日|本月)?")
_DESCRIPTOR = re.compile(r"^.*?(?:初创公司|公司|企业|平台|厂商|开发商|研发商|服务商|品牌)(?=.{2,})")
_DESCRIBES = ("公司", "企业", "团队", "开发商", "研发商", "服务商", "提供商", "制造商", "厂商", "平台", "初创", "机构")
_NOT_A_NAME = frozenset({"公司", "企业", "该公司", "此前", "本轮", "近日", "日前", "其", "此次", "目前"})
# what a funding-category item may be instead of a round; checked on the title (and on the lead when the title
# names no round)
_NOT_A_ROUND = (
    ("收购或并购，不是融资轮次", re.compile(r"收购|并购|控股权|要约")),
    ("设立基金或募资目标，不是企业融资", re.compile(r"(?:设立|成立|发起|募集|组建)[^，。]{0,20}基金|基金[^，。]{0,8}"
                                          r"(?:设立|成立|落地|首关|募资|募集)|募资目标|目标规模")),
    ("投资合伙或合作，不是融资轮次", re.compile(r"投资合伙|合作伙伴关系|合伙企业成立|联合投资平台")),
    ("政府或项目投资，不是企业融资", re.compile(r"政府(?:投资|出资)|财政(?:资金|投入)|专项资金|总投资|项目投资|投资建设")),
)
_INVESTORS = re.compile(r"(?:本轮)?(?:投资方|参投方|投资机构)(?:为|包括)?[：:]\s*([^。\n]+)|"
                        r"(?:本轮)?(?:投资方|参投方|投资机构)(?:为|包括)\s*([^。\n]+)")
_LED = re.compile(r"(?:由|本轮融资由)([^。；\n]{2,80}?(?:领投|独家投资|联合投资|参投|跟投)[^。\n]*)")
_JOINED = re.compile(r"([^，。,；\n]{2,60}?)(?:等)?(?:参与投资|共同投资|参投|跟投|领投)")
_TRACK = re.compile(r"(?:专注于|聚焦于?|致力于)([^，。；,]{2,24})")
# a sentence that presents the company: "成立于…", "是一家…", or a bare "离子阱量子计算机研发商"
_ABOUT = re.compile(r"成立于|是一家|专注于|致力于|聚焦于|^[^，,]{2,40}(?:研发商|提供商|服务商|开发商|制造商|运营商)$")
_DOC = re.compile(r"《([^》]{4,80})》")
_DOC_WORDS = re.compile(r"(通知|意见|办法|决定|方案|指南|规划|条例|纲要|措施|计划|细则|规定|公告)")
_ISSUER = re.compile(r"([\u4e00-\u9fff、，,（）()]{2,80}?)(?:联合)?(?:正式)?(?:印发|发布|公布|出台|制定)")


def _labelled(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match and _LABELS[match.group(1)] not in out:
            out[_LABELS[match.group(1)]] = match.group(2).strip()
    return out


def _first(rx: re.Pattern[str], text: str) -> str:
    match = rx.search(text)
    return next((g.strip() for g in match.groups() if g), "") if match else ""


def _clauses(text: str) -> list[str]:
    # "AI 基础设施赛道再获资本青睐：无问芯穹拿下近 5 亿元": the colon ends a clause too
    return [c for c in re.split(r"[，。；;！？!?：:\n]", text) if c.strip()]


def _company(title: str, body: str) -> str:
    """The company a round is about, from 「X」获… in the title, then "X 完成/获…融资" in the title or any clause of
    the body ("8 月 19 日，深算科技完成 C 轮融资"), a descriptor before the name dropped ("芯片公司深算科技")."""
    quoted = _QUOTED.search(title)
    if quoted:
        return quoted.group(1).strip()
    for text in (title, body):
        found = ""
        for clause in _clauses(text):
            match = _DOES_ROUND.search(_ON_DAY.sub("", clause))
            if match:
                found = match.group(1)
                break
        name = _DESCRIPTOR.sub("", _LEADING.sub("", found.strip())).strip("「」“”\"' ")
        # "大模型训练加速平台开发商", "清华系具身大脑团队": a description, not a name; the body names it
        if len(name) >= 2 and name not in _NOT_A_NAME and not name.endswith(_DESCRIBES):
            return name
    return ""


def _clause_with(rx: re.Pattern[str], title: str, body: str) -> str:
    """The pattern's first match in the title, else in the first body clause that speaks of the round."""
    found = _first(rx, title)
    if found:
        return found
    for clause in _clauses(body):
        if re.search(r"融资|轮|领投|获投", clause):
            found = _first(rx, clause)
            if found:
                return found
    return ""


_EN_ROUND = re.compile(r"\b(?:(Pre-)?Series\s+([A-F]\d?\+?)|(seed)\s+round|(angel)\s+round)", re.I)
_EN_AMOUNT = re.compile(r"(?:US)?\$\s?(\d+(?:\.\d+)?)\s*(million|billion|M|B)\b", re.I)
_EN_COMPANY = re.compile(r"((?:[A-Z][\w.&-]*\s)*[A-Z][\w.&-]*)(?:,[^,]{0,80},)?\s+(?:has\s+)?rais(?:ed|es)\b")
_EN_INVESTORS = re.compile(r"\b(?:led by|[Ii]nvestors include|participation from|backed by)\s+([^.;]+)")


def _english(title: str, body: str) -> dict[str, str]:
    """Cells of an English funding story ("Groq raises $640 million in Series D led by BlackRock"): the round in
    the table's words ("D 轮"), the amount and names as written ("$640 million")."""
    text = f"{title}. {body}"
    out: dict[str, str] = {}
    company = _EN_COMPANY.search(title) or _EN_COMPANY.search(body)
    if company:
        words = company.group(1).split()
        out["company"] = " ".join(words[-3:]) if len(words) > 3 else company.group(1)
    found = _EN_ROUND.search(text)
    if found:
        pre, series, seed, _angel = found.groups()
        out["round"] = f"{'Pre-' if pre else ''}{series.upper()} 轮" if series else ("种子轮" if seed else "天使轮")
    money = _EN_AMOUNT.search(text)
    if money:  # as written: a converted "6.4 亿美元" would be a figure its source does not hold
        out["amount"] = money.group(0).strip()
    investors = [m.group(1).strip() for m in _EN_INVESTORS.finditer(body or title)]
    if investors:
        out["investors"] = "；".join(dict.fromkeys(investors))
    return out


def not_a_round(title: str, body: str) -> str:
    """Why an item of the funding category is no financing round (a fund, a partnership with a fundraising target,
    an acquisition, a government investment), or "" when it is one. The title decides; a body that never speaks of
    a round or investors is not one either."""
    head = f"{title}\n{body.split(chr(10), 1)[0]}"
    for reason, rx in _NOT_A_ROUND:
        if rx.search(title) or (rx.search(head) and not _ROUND.search(title)):
            return reason
    if not re.search(r"融资|获投|注资|领投|跟投|参投|投资方|轮", f"{title}{body}") \
            and not re.search(r"\brais(?:ed|es|ing)\b|\bSeries\s+[A-F]|\bfunding round\b", f"{title} {body}", re.I):
        return "未提及融资轮次或投资方"
    return ""


def funding_fields(title: str, body: str, given: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The six funding cells (contract keys) and the labels of those left blank."""
    fields = {k: v.strip() for k, v in (given or {}).items() if k in FUNDING_FIELDS and v and v.strip()}
    for key, value in _labelled(body).items():
        fields.setdefault(key, value)
    if not re.search(r"[\u4e00-\u9fff]", title):  # an English story: its own patterns, Chinese units
        for key, value in _english(title, body).items():
            fields.setdefault(key, value)
    first_para = body.split("\n", 1)[0]
    fields.setdefault("company", _company(title, body))
    fields.setdefault("round", _clause_with(_ROUND, title, body))
    fields.setdefault("amount", _clause_with(_AMOUNT, title, body))
    investors = (_first(_INVESTORS, body) or _first(_LED, body) or _first(_JOINED, first_para)
                 or _first(_JOINED, title) or _first(_JOINED, body))
    fields.setdefault("investors", investors.rstrip("，,；;"))
    fields.setdefault("sector", _first(_TRACK, body) if len(_first(_TRACK, body)) <= 12 else "")
    fields.setdefault("intro", next((c.strip() for c in re.split(r"[。\n]", body)
                                     if _ABOUT.search(c.strip()) and len(c.strip()) <= 120), ""))
    # "北京智谱华章科技有限公司（智谱）": the table names the company as the market does, by its short name
    short = re.match(r"^.{2,40}(?:公司|集团)[（(]([^）)]{2,12})[）)]$", fields.get("company", ""))
    if short:
        fields["company"] = short.group(1)
    fields = {k: fields.get(k, "") for k in FUNDING_FIELDS}
    missing = [FUNDING_FIELDS[k] for k, v in fields.items() if not v]
    return fields, missing


def _issuer(title: str, body: str, publisher: str) -> str:
    for text in (body.split("\n", 1)[0], title):
        head = re.split(r"《", text, maxsplit=1)[0]
        match = _ISSUER.search(head)
        if match:
            name = re.sub(r"^日[，,]\s*", "", match.group(1)).strip("，,、 ")
            if _CENTRAL.search(name) or _MINISTRY.search(name) or _LOCAL.search(name) or "部门" in name:
                return name
    doc = _first(_DOC, title) or _first(_DOC, body)
    if doc.startswith("中共中央"):
        return "中共中央"
    if _MINISTRY.search(publisher) or _CENTRAL.search(publisher) or re.search(r"(政府|委员会|局|厅)$", publisher):
        return publisher
    return ""


def policy_fields(title: str, body: str, publisher: str) -> dict[str, str] | None:
    """中央/地方, 发布机构, 文件名称 of a policy document; None when the item is not one (news, 产学研, company)."""
    doc = _first(_DOC, title)
    if not doc and _DOC_WORDS.search(title) and re.match(r"^(关于|[\u4e00-\u9fff]{2,12}(?:部|委|局|办|政府|部门))",
                                                         title):
        doc = title.strip()
    issuer = _issuer(title, body, publisher)
    if not doc and issuer and _DOC_WORDS.search(title) is None and re.search(r"(试点|公布|印发)", title):
        doc = title.strip()
    if not doc or not issuer:
        return None
    level = "地方" if _LOCAL.search(issuer) and not (_CENTRAL.search(issuer) or _MINISTRY.search(issuer)) else "中央"
    return {"level": level, "issuer": issuer, "name": doc}
