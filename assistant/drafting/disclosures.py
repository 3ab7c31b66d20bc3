"""Sections written from templates and the pack only, never by a model: risk warnings and disclosures."""

from __future__ import annotations

from collections.abc import Callable

from assistant.drafting.chain import section_hash
from assistant.drafting.template import SectionSpec
from assistant.errors import DraftingError
from assistant.models import Finding, Provenance, SectionDraft
from assistant.outline.slots import RISK_SLOT
from assistant.pack.model import Analyst, PackConfig
from assistant.prompts import load_prompt

__all__ = ["CONTACTS_SLOT", "LEGAL_ENTITY_SLOT", "QUALIFICATION_SLOT", "analyst_profiles", "render_fixed_section"]


def _profile(analyst: Analyst) -> str:
    head = f"**{analyst.name}**" + (f" {analyst.title}" if analyst.title else f" {analyst.role}")
    lines = [head]
    if analyst.certificate:
        lines.append(f"分析师证书编码：{analyst.certificate}")
    contact = "，".join(x for x in (f"电话：{analyst.phone}" if analyst.phone else "",
                                    f"邮箱：{analyst.email}" if analyst.email else "") if x)
    if contact:
        lines.append(contact)
    if analyst.bio:
        lines.append(analyst.bio)
    return "\n\n".join(lines)


def analyst_profiles(config: PackConfig) -> str:
    """The 分析师简介 block from the pack. No analyst in the pack is an error: the disclosure would be false."""
    if not config.analysts:
        raise DraftingError("pack.yaml 的 analysts 为空：分析师承诺需要至少一位分析师")
    if not any(a.certificate for a in config.analysts):
        raise DraftingError("pack.yaml 的 analysts 中没有任何分析师证书编码（certificate）")
    return "\n\n".join(_profile(a) for a in config.analysts)


# what the disclaimer needs from pack.yaml and cannot invent: a visible slot where the pack is silent
LEGAL_ENTITY_SLOT = "【待补：持牌法人名称（pack.yaml legal_entity）】"
QUALIFICATION_SLOT = "【待补：证券投资咨询业务资格说明（pack.yaml qualification）】"
CONTACTS_SLOT = "【待补：机构联系方式（pack.yaml contacts）】"


def _gap(section: str, key: str, what: str) -> Finding:
    # a warning here; the checks hold the printed slot itself as blocking (checks/outline.py), also after edits
    return Finding(section=section, kind="disclosure_incomplete", severity="warning", sentence=key,
                   detail=f"pack.yaml 没有 {key}：{what}处印有待补标记，补齐 pack.yaml 后重新起草本节")


def _disclosures(render: Callable[[dict[str, str]], str], config: PackConfig,
                 section: str) -> tuple[str, list[Finding]]:
    """The disclaimer names the licensed legal entity and its qualification; the 联系 block comes from the pack.
    A key the pack lacks is a visible 【待补：…】 slot and a blocking finding, never a silent gap or a stand-in."""
    institution = config.institution or "本研究机构"
    findings = []
    if not config.legal_entity:
        findings.append(_gap(section, "legal_entity", "免责声明中的持牌法人名称"))
    if not config.qualification.strip():
        findings.append(_gap(section, "qualification", "免责声明中的证券投资咨询业务资格说明"))
    contacts = "\n\n".join(line.strip() for line in config.contacts if line.strip())
    if not contacts:
        findings.append(_gap(section, "contacts", "“联系”一节"))
    text = render({"institution": institution, "legal_entity": config.legal_entity or LEGAL_ENTITY_SLOT,
                   "analyst_profiles": analyst_profiles(config),
                   "qualification": config.qualification.strip() or QUALIFICATION_SLOT,
                   "contacts": f"### 联系\n\n{contacts or CONTACTS_SLOT}"})
    return text, findings


def _risks(spec: SectionSpec) -> tuple[str, list[Finding]]:
    """The analyst's (or the month's) risks; none given is a slot, never another month's list."""
    if spec.items:
        return "；".join(spec.items), []
    finding = Finding(section=spec.id, kind="view_awaiting_analyst", severity="warning",
                      detail="没有分析师提纲中的风险提示（views.yaml 的 risks）：风险提示待分析师补充")
    return RISK_SLOT.rstrip("。"), [finding]


def render_fixed_section(spec: SectionSpec, config: PackConfig, *, pack_hash: str = "") -> SectionDraft:
    prompt = load_prompt(spec.prompt)
    findings: list[Finding] = []
    if spec.kind == "static":
        risks, findings = _risks(spec)
        text = prompt.render({"risks": risks})
    else:
        text, findings = _disclosures(prompt.render, config, spec.id)
    provenance = Provenance(engine="template", template_id=f"{prompt.id}.v{prompt.version}",
                            template_hash=section_hash(spec),
                            pack_hash=pack_hash)
    return SectionDraft(id=spec.id, title=spec.title, markdown=text.strip(), provenance=provenance, findings=findings)
