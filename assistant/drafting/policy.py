"""The policy table's row for any policy or regulation item (seed table 11), at home or abroad (pure functions).

``rows.policy_fields`` reads a domestic document (《…》 issued by a ministry or a local government). A month's policy
news is wider than that: an EU act entering into force, a US state's bill, a regulator's draft guidance, a State
Council meeting that deploys a programme. Those are rows too: 中央/地方/海外 from who issued it, 发布机构 from the
item (a ministry, a province, a state, the EU), 文件名称 from the document's name or, without one, the headline.
Company news and 产学研 items (no authority acting) are not rows: they stay on the section's "其他相关动态" line.
Foreign issuers are a data file (``assistant/data/policy_issuers.yaml``) an analyst may extend.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.drafting.importance import _CENTRAL, _LOCAL, _MINISTRY
from assistant.drafting.rows import policy_fields

__all__ = ["ISSUERS_FILE", "foreign_issuer", "policy_row_fields"]

ISSUERS_FILE = Path(__file__).resolve().parents[1] / "data" / "policy_issuers.yaml"
# An authority acting: without one of these near it, a government's name is only mentioned, not acting.
_ACTS = re.compile(r"印发|发布|出台|公布|施行|生效|实施|部署|召开|审议|通过|签署|征求意见|批准|启动|设立|宣布|提出|"
                   r"\b(?:pass(?:es|ed)?|sign(?:s|ed)?|adopt(?:s|ed)?|propos(?:es|ed)|approv(?:es|ed)|issu(?:es|ed)|"
                   r"enter(?:s|ed)? into force|introduc(?:es|ed)|releas(?:es|ed)|publish(?:es|ed)|unveil(?:s|ed)?)\b",
                   re.IGNORECASE)
_REGULATION = re.compile(r"法案|法规|法律|监管|条例|规则|规定|指南|草案|行政令|禁令|出口管制|管制|标准|政策|方案|意见|"
                         r"通知|办法|规划|行动|计划|措施|决定|纲要|"
                         r"\b(?:bill|act|law|laws|regulat\w*|rules?|guidance|guidelines?|executive order|ban|"
                         r"export controls?|legislat\w*|policy|framework)\b", re.IGNORECASE)
_DOC = re.compile(r"《([^》]{2,80})》")
_GOV = re.compile(r"([\u4e00-\u9fff]{2,6}(?:省|市|自治区)(?:人民政府办公厅|人民政府|政府|[\u4e00-\u9fff]{0,8}(?:委员会|局|厅|办))?)")


@lru_cache(maxsize=1)
def _issuers() -> list[tuple[str, re.Pattern[str]]]:
    data = yaml.safe_load(ISSUERS_FILE.read_text(encoding="utf-8")) or []
    return [(str(e["name"]), re.compile("|".join(f"(?:{p})" for p in e["patterns"]), re.IGNORECASE)) for e in data]


def _lead(title: str, body: str) -> str:
    """The headline and the first sentence: where an item says who acted (a later mention is context)."""
    first = re.split(r"(?<=[。！？!?])|(?<=\.)\s|\n", body.strip(), maxsplit=1)[0]
    return f"{title}\n{first}"


def foreign_issuer(title: str, body: str) -> str:
    """The foreign authority the item's headline or first sentence names, in Chinese; "" when none."""
    lead = _lead(title, body)
    for name, pattern in _issuers():
        if pattern.search(lead):
            return name
    return ""


def _domestic_issuer(title: str, body: str, publisher: str) -> str:
    # the first sentence before the headline: it names the office in full (北京市经济和信息化局, not 北京市)
    for text in reversed(_lead(title, body).split("\n")):
        for rx in (_CENTRAL, _MINISTRY, _GOV):
            match = rx.search(text)
            if match and _ACTS.search(text[match.end():match.end() + 60]):
                return match.group(1) if match.groups() else match.group(0)
    if _MINISTRY.search(publisher) or _CENTRAL.search(publisher) or re.search(r"(政府|委员会|局|厅)$", publisher):
        return publisher
    return ""


def _level(issuer: str) -> str:
    if _CENTRAL.search(issuer) or _MINISTRY.search(issuer):
        return "中央"
    return "地方" if _LOCAL.search(issuer) or _GOV.search(issuer) else "中央"


def policy_row_fields(title: str, body: str, publisher: str) -> dict[str, str] | None:
    """``{"level", "issuer", "name"}`` of a policy or regulation item; None when no authority acts in it."""
    foreign = foreign_issuer(title, body)
    lead = _lead(title, body)
    if foreign and _REGULATION.search(lead):
        doc = re.search(_DOC, lead)
        return {"level": "海外", "issuer": foreign, "name": doc.group(1) if doc else title.strip().rstrip("。")}
    fields = policy_fields(title, body, publisher)
    if fields is not None:
        return fields
    issuer = _domestic_issuer(title, body, publisher)
    if not issuer or not (_REGULATION.search(lead) or _ACTS.search(title)):
        return None
    doc = _DOC.search(title) or _DOC.search(lead)
    return {"level": _level(issuer), "issuer": issuer, "name": doc.group(1) if doc else title.strip().rstrip("。")}
