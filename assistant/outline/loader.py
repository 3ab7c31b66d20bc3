"""``load_outline``: read the optional ``views.yaml`` beside ``pack.yaml``, strictly, with line numbers in errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from assistant.errors import PackError
from assistant.outline.model import AdviceTheme, Outline, StockRef, Thesis
from assistant.outline.resolve import SecurityIndex
from assistant.pack.model import MarketPack
from assistant.pack.yamlfile import TextLoader, compose, node_line

__all__ = ["VIEWS_FILE", "OutlineError", "load_outline"]

VIEWS_FILE = "views.yaml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class OutlineError(PackError):
    """``views.yaml`` is malformed: names file, key and line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _RawStock(_Strict):
    code: Text
    name: Text


class _RawThesis(_Strict):
    headline: Text
    view: str = ""
    evidence: str = ""
    stocks: list[Text | _RawStock] = Field(default_factory=list)
    market: bool = False


class _RawTheme(_Strict):
    theme: Text
    stocks: list[Text | _RawStock] = Field(default_factory=list)
    evidence: str = ""


class _RawOutline(_Strict):
    title: str = ""
    theses: list[_RawThesis] = Field(default_factory=list)
    advice: list[_RawTheme] = Field(default_factory=list)
    risks: list[Text] = Field(default_factory=list)


def _key(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_REASONS = {"missing": "缺少必填字段", "extra_forbidden": "未知字段（views.yaml 只认 title、theses、advice、risks）",
            "string_too_short": "不能为空", "string_type": "应为文本", "list_type": "应为列表",
            "bool_type": "应为 true 或 false", "model_type": "应为键值表"}


_UNION_BRANCHES = ("constrained-str", "_RawStock")


def _validate(data: Any, node: yaml.Node | None, path: Path) -> _RawOutline:
    if data is None:
        return _RawOutline()
    if not isinstance(data, dict):
        raise OutlineError("views.yaml 顶层必须是键值表（title、theses、advice、risks）", file=str(path), row=1)
    try:
        return _RawOutline.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A union (name or {code, name}) reports one error per branch; the plainest one is the first.
        error = errors[0]
        union = any(p in _UNION_BRANCHES for p in error["loc"])
        loc = tuple(p for p in error["loc"] if p not in _UNION_BRANCHES)
        if union:
            loc = loc[: next(i for i, p in enumerate(loc) if isinstance(p, int) and i and loc[i - 1] == "stocks") + 1]
        reason = ("应为证券名称或代码，或 {code: …, name: …}" if union
                  else _REASONS.get(error["type"], f"取值无效: {error['msg']}"))
        raise OutlineError(reason, file=str(path), row=node_line(node, loc), field=_key(loc)) from None


def _stocks(raw: list[str | _RawStock], index: SecurityIndex, where: tuple[str | int, ...],
            node: yaml.Node | None, path: Path) -> list[StockRef]:
    out: list[StockRef] = []
    for i, stock in enumerate(raw):
        ref = index.resolve(stock) if isinstance(stock, str) else index.explicit(stock.code, stock.name)
        if isinstance(ref, str):
            loc = (*where, "stocks", i)
            raise OutlineError(ref, file=str(path), row=node_line(node, loc), field=_key(loc))
        out.append(ref)
    return out


def load_outline(pack_dir: Path, pack: MarketPack) -> Outline | None:
    """The outline beside ``pack.yaml``, or None when there is none. Raises OutlineError on any bad entry."""
    path = Path(pack_dir) / VIEWS_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutlineError("views.yaml 必须是 UTF-8 编码", file=str(path)) from None
    node, data = compose(text, path, TextLoader, OutlineError)  # codes keep leading zeros, dates stay text
    raw = _validate(data, node, path)
    index = SecurityIndex.of(pack)
    theses = [Thesis(headline=t.headline, view=t.view.strip(), evidence=t.evidence.strip(), market=t.market,
                     stocks=_stocks(t.stocks, index, ("theses", i), node, path)) for i, t in enumerate(raw.theses)]
    advice = [AdviceTheme(theme=a.theme, evidence=a.evidence.strip(),
                          stocks=_stocks(a.stocks, index, ("advice", i), node, path)) for i, a in enumerate(raw.advice)]
    return Outline(title=raw.title.strip(), theses=theses, advice=advice, risks=list(raw.risks), path=str(path))
