"""``pack.yaml``: parse it keeping line numbers, so that any bad or missing field can be pointed at."""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import PackError
from assistant.pack.model import PackConfig
from assistant.pack.plausible import TOP_N_RANGE
from assistant.pack.yamlfile import CodesLoader, compose, node_line

__all__ = ["CONTRACT_EXTRA_KEYS", "PACK_FILE", "ConfigFile", "check_keys", "read_config"]

PACK_FILE = "pack.yaml"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Keys the data contract lists for the disclosures; accepted whether or not the model reads them yet.
CONTRACT_EXTRA_KEYS = frozenset({"legal_entity", "qualification", "contacts"})


@dataclass(frozen=True)
class ConfigFile:
    config: PackConfig
    path: Path
    node: yaml.Node  # the composed document, for line numbers of listed codes
    data: bytes


def _compose(text: str, path: Path) -> tuple[yaml.Node, Any]:
    node, data = compose(text, path, CodesLoader)
    if node is None or not isinstance(data, dict):
        raise PackError("pack.yaml 顶层必须是键值表（month、theme_index、sector_index …）", file=str(path), row=1)
    return node, data


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds, directly or inside ``list[...]`` / ``... | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def _allowed(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    keys: dict[str, type[BaseModel] | None] = {}
    for name, info in model.model_fields.items():
        keys[info.alias or name] = _nested_model(info.annotation)
    return keys


def _walk_keys(value: Any, model: type[BaseModel], loc: tuple[str | int, ...],
               node: yaml.Node, path: Path, extra: frozenset[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _walk_keys(item, model, (*loc, index), node, path, extra)
        return
    if not isinstance(value, dict):
        return  # a wrong type is reported by the model's validation, with its own message
    allowed = _allowed(model)
    for key, item in value.items():
        name = str(key)
        if name in extra:
            continue
        if name not in allowed:
            close = difflib.get_close_matches(name, [*allowed, *extra], n=1, cutoff=0.6)
            hint = f"，是否应为 {close[0]!r}？" if close else f"（可用字段: {'、'.join(sorted(allowed))}）"
            raise PackError(f"未知字段 {name!r}{hint}", file=str(path), row=node_line(node, (*loc, name)),
                            field=".".join(str(p) for p in (*loc, name)))
        nested = allowed[name]
        if nested is not None:
            _walk_keys(item, nested, (*loc, name), node, path, frozenset())


def check_keys(data: dict[str, Any], node: yaml.Node, path: Path) -> None:
    """Unknown or misspelt keys are errors: a ``watchlist:`` ignored would print empty company tables."""
    _walk_keys(data, PackConfig, (), node, path, CONTRACT_EXTRA_KEYS)


def _check_ranges(config: PackConfig, node: yaml.Node, path: Path) -> None:
    low, high = TOP_N_RANGE
    if not low <= config.top_n <= high:
        raise PackError(f"top_n 应在 {low}…{high} 之间: {config.top_n}", file=str(path),
                        row=node_line(node, ("top_n",)), field="top_n")
    if not 0 < config.max_monthly_return < 1e6:
        raise PackError(f"max_monthly_return 应为正的百分数: {config.max_monthly_return}", file=str(path),
                        row=node_line(node, ("max_monthly_return",)), field="max_monthly_return")


def _validate(data: dict[str, Any], node: yaml.Node, path: Path) -> PackConfig:
    check_keys(data, node, path)
    try:
        config = PackConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc)
        reason = "缺少必填字段" if error["type"] == "missing" else f"取值无效: {error['msg']}"
        raise PackError(reason, file=str(path), row=node_line(node, loc), field=field) from None
    if not _MONTH.match(config.month):
        raise PackError(f"月份格式应为 YYYY-MM: {config.month!r}", file=str(path),
                        row=node_line(node, ("month",)), field="month")
    _check_ranges(config, node, path)
    return config


def read_config(root: Path) -> ConfigFile:
    """Read and validate ``root/pack.yaml``."""
    path = root / PACK_FILE
    if not path.is_file():
        raise PackError("数据包缺少 pack.yaml", file=str(path))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackError("pack.yaml 必须是 UTF-8 编码", file=str(path)) from exc
    node, values = _compose(text, path)
    return ConfigFile(config=_validate(values, node, path), path=path, node=node, data=data)
