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

__all__ = ["FUNDING_FIELDS", "funding_fields", "policy_fields"]

# contract field -> the label the seed's table and the bodies' "label：value" lines use
FUNDING_FIELDS = {"company": "融资方", "sector": "赛道", "intro": "简介", "round": "融资轮次", "amount": "融资金额",
                  "investors": "本轮投资方"}
_LABELS = {"融资方": "company", "公司": "company", "赛道": "sector", "行业": "sector", "简介": "intro",
           "公司简介": "intro", "融资轮次": "round", "轮次": "round", "融资金额": "amount", "金额": "amount",
           "本轮投资方": "investors", "投资方": "investors", "投资机构": "investors"}
_LINE = re.compile(r"^\s*(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[：:]\s*(.+?)\s*$")
_ROUND = re.compile(r"((?:Pre-?)?[A-F]\d?\+{0,2}\s*轮(?:\s*&\s*(?:Pre-?)?[A-F]\d?\+{0,2}\s*轮)?|天使\+?\s*轮|"
                    r"种子\+?\s*轮|战略融资|战略投资|Pre-IPO\s*轮?|IPO)")
_AMOUNT = re.compile(r"((?:超|近|逾|约)?\s*(?:\d+(?:\.\d+)?|数十|数百|数)\s*(?:亿|万|千万|百万)\s*(?:人民币|美元|元)?)")
_COMPANY = re.compile(r"^(?:[^，。,：:\s]{0,12}(?:公司|初创公司|企业))?([^，。,：:\s]{2,20}?)\s*(?:宣布|正式完成|已完成|完成|获得?)")
_INVESTORS = re.compile(r"(?:本轮)?投资方(?:为|包括)?[：:]\s*([^。\n]+)")
_LED = re.compile(r"(?:由|本轮融资由)([^。；\n]{2,80}?(?:领投|独家投资|联合投资|参投|跟投)[^。\n]*)")
_JOINED = re.compile(r"([^，。,；\n]{2,60}?)(?:等)?(?:参与投资|共同投资|参投|跟投|领投)")
_TRACK = re.compile(r"(?:专注于|聚焦于?|致力于)([^，。；,]{2,24})")
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
    return match.group(1).strip() if match else ""


def funding_fields(title: str, body: str, given: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The six funding cells (contract keys) and the labels of those left blank."""
    fields = {k: v.strip() for k, v in (given or {}).items() if k in FUNDING_FIELDS and v and v.strip()}
    for key, value in _labelled(body).items():
        fields.setdefault(key, value)
    first_para = body.split("\n", 1)[0]
    fields.setdefault("company", _first(_COMPANY, title) or _first(_COMPANY, first_para))
    fields.setdefault("round", _first(_ROUND, title) or _first(_ROUND, first_para))
    fields.setdefault("amount", _first(_AMOUNT, title) or _first(_AMOUNT, first_para))
    investors = _first(_INVESTORS, body) or _first(_LED, body) or _first(_JOINED, first_para) or _first(_JOINED, title)
    fields.setdefault("investors", investors.rstrip("，,；;"))
    fields.setdefault("sector", "")
    fields.setdefault("intro", "")
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
