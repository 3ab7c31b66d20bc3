"""Helpers that lift text verbatim out of the seed report (builder of the sample corpus)."""
import re
from pathlib import Path

SEED = (Path(__file__).resolve().parents[2] / "docs" / "seed-2024-07.txt").read_text(encoding="utf-8").splitlines()
DISCLAIMER = "请务必阅读正文最后的中国银河证券股份有限公司免责声明。"
TERMINAL = ("。", "！", "？", "”", "：", ":", "；", ".", "）", ">")


def raw(n: int) -> str:
    return SEED[n - 1]


def row(first: int, last: int | None = None) -> list[str]:
    """Tab columns of a table row at line `first`, continuation lines up to `last` joined on."""
    text = raw(first)
    for n in range(first + 1, (last or first) + 1):
        cont = raw(n).strip().replace("\u00a0", "")
        if not cont or cont == DISCLAIMER:
            continue
        text = re.sub(r"</p>\s*$", "", text)
        cont = re.sub(r"^<p>", "", cont)
        text += cont
    return text.split("\t")


def paras_of_cell(cell: str) -> list[str]:
    cell = cell.strip()
    parts = re.split(r"</p>\s*<p>", cell)
    out = [re.sub(r"</?p>", "", p).strip() for p in parts]
    return [p for p in out if p]


def prose(first: int, last: int, skip: tuple[int, ...] = (), join: bool = True) -> list[str]:
    """Paragraphs of running text, dropping figure captions, source lines and page furniture."""
    paras: list[str] = []
    pending = ""
    for n in range(first, last + 1):
        if n in skip:
            continue
        line = raw(n).replace("\u00a0", " ").strip()
        if not line:
            continue
        if line == DISCLAIMER or re.match(r"^(图\s*\d+|资料来源)", line):
            continue
        broken = False
        if line.endswith(DISCLAIMER):
            line = line[: -len(DISCLAIMER)]
            broken = True
        pending += line
        if broken or (join and not pending.endswith(TERMINAL)):
            continue
        paras.append(pending)
        pending = ""
    if pending:
        paras.append(pending)
    return paras
