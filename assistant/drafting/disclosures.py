"""Sections written from templates and the pack only, never by a model: risk warnings and disclosures."""

from __future__ import annotations

from collections.abc import Callable

from assistant.drafting.chain import section_hash
from assistant.drafting.template import SectionSpec
from assistant.errors import DraftingError
from assistant.models import Finding, Provenance, SectionDraft
from assistant.pack.model import Analyst, PackConfig
from assistant.prompts import load_prompt

__all__ = ["analyst_profiles", "render_fixed_section"]


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


def _disclosures(render: Callable[[dict[str, str]], str], config: PackConfig,
                 section: str) -> tuple[str, list[Finding]]:
    """The disclaimer names the licensed legal entity and its qualification; the 联系 block comes from the pack."""
    institution = config.institution or "本研究机构"
    findings = []
    if not config.legal_entity:
        findings.append(Finding(section=section, kind="disclosure_incomplete", severity="warning",
                                detail="pack.yaml 没有 legal_entity：免责声明以研究机构名称代替持牌法人名称"))
    if not config.qualification:
        findings.append(Finding(section=section, kind="disclosure_incomplete", severity="warning",
                                detail="pack.yaml 没有 qualification：免责声明缺少证券投资咨询业务资格说明"))
    contacts = "\n\n".join(line.strip() for line in config.contacts if line.strip())
    text = render({"institution": institution, "legal_entity": config.legal_entity or institution,
                   "analyst_profiles": analyst_profiles(config),
                   "qualification": config.qualification.strip(),
                   "contacts": f"### 联系\n\n{contacts}" if contacts else ""})
    return text, findings


def render_fixed_section(spec: SectionSpec, config: PackConfig, *, pack_hash: str = "") -> SectionDraft:
    prompt = load_prompt(spec.prompt)
    findings: list[Finding] = []
    if spec.kind == "static":
        text = prompt.render({"risks": "；".join(spec.items)})
    else:
        text, findings = _disclosures(prompt.render, config, spec.id)
    provenance = Provenance(engine="template", template_id=f"{prompt.id}.v{prompt.version}",
                            template_hash=section_hash(spec),
                            pack_hash=pack_hash)
    return SectionDraft(id=spec.id, title=spec.title, markdown=text.strip(), provenance=provenance, findings=findings)
