"""Publisher names, not hosts (``publishers.yaml``): hosts mapped to names, WeChat account and forum names taken
from the page, platform names, junk titles and junk author properties refused.

Pure functions over strings (a saved page's markup included); the readers call them and record where each value
came from.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from assistant.errors import ConfigError

__all__ = ["PUBLISHERS_PATH", "dedupe_source", "is_host", "junk_author", "junk_title", "load_publishers",
           "page_account", "publisher_for_host", "settle_source", "site_from_title_tag"]

PUBLISHERS_PATH = Path(__file__).with_name("publishers.yaml")
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
_PARTS = re.compile(r"\s*[，,、/|｜;；]\s*|\s+")


@dataclass(frozen=True)
class Publishers:
    hosts: dict[str, str]
    platforms: frozenset[str]
    junk_titles: tuple[re.Pattern[str], ...]
    junk_authors: tuple[re.Pattern[str], ...]


def _patterns(data: dict[str, object], key: str, path: Path) -> tuple[re.Pattern[str], ...]:
    values = data.get(key) or []
    if not isinstance(values, list):
        raise ConfigError(f"发布方文件 {path}: {key} 应为列表")
    try:
        return tuple(re.compile(str(v), re.IGNORECASE) for v in values)
    except re.error as exc:
        raise ConfigError(f"发布方文件 {path}: {key} 中有无效正则: {exc}") from exc


@functools.lru_cache(maxsize=4)
def load_publishers(path: Path = PUBLISHERS_PATH) -> Publishers:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"无法读取发布方文件 {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), dict):
        raise ConfigError(f"发布方文件 {path} 缺少 hosts 表")
    hosts = {str(k).lower().removeprefix("www."): str(v) for k, v in data["hosts"].items()}
    platforms = frozenset(str(p).lower() for p in data.get("platforms") or [])
    return Publishers(hosts, platforms, _patterns(data, "junk_titles", path), _patterns(data, "junk_authors", path))


def is_host(text: str) -> bool:
    return bool(_HOST.match(text.strip()))


def publisher_for_host(host_or_url: str | None) -> str | None:
    """The publisher of a host (``finance.sina.com.cn`` -> 新浪财经), longest known suffix first; None if unknown."""
    if not host_or_url:
        return None
    text = host_or_url.strip()
    if "//" in text:
        host = urlsplit(text).hostname or ""
    else:
        match = _HOST.match(text)
        host = match.group(1) if match else ""
    host = host.lower().removeprefix("www.")
    hosts = load_publishers().hosts
    labels = host.split(".")
    for start in range(len(labels) - 1):
        name = hosts.get(".".join(labels[start:]))
        if name:
            return name
    return None


def _fold(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text).lower()


def dedupe_source(text: str) -> str:
    """"国家互联网信息办公室，国家互联网信息办公室" -> one name; distinct joint publishers are kept in order."""
    parts = [p for p in _PARTS.split(text.strip()) if p]
    if len(parts) < 2:
        return text.strip()
    unique = list(dict.fromkeys(parts))
    if len(unique) == len(parts):
        return text.strip()
    return "、".join(unique)


def junk_title(text: str | None) -> bool:
    value = (text or "").strip()
    return not value or any(p.search(value) for p in load_publishers().junk_titles)


def junk_author(text: str | None) -> bool:
    value = (text or "").strip()
    return not value or any(p.search(value) for p in load_publishers().junk_authors)


def settle_source(value: str | None, *, title: str = "") -> tuple[str | None, str]:
    """A candidate publisher -> (name or None, what was done): duplicates merged, a host mapped to its publisher
    (an unknown host kept as it is, noted), a platform name or a copy of the title refused."""
    if not value or not value.strip():
        return None, ""
    name = dedupe_source(" ".join(value.split()))
    if name.lower() in load_publishers().platforms:
        return None, "platform"
    if is_host(name):
        mapped = publisher_for_host(name)
        if mapped:
            return mapped, "host_map"
        return name, "host"
    if title and _fold(name) == _fold(title):
        return None, "title"
    return name, ""


_ACCOUNT = (
    re.compile(r"""var\s+nickname\s*=\s*(?:htmlDecode\()?\s*["']([^"'<>\n]{1,60})["']"""),
    re.compile(r"""<[^>]+id=["']js_name["'][^>]*>\s*([^<>]{1,60}?)\s*<""", re.IGNORECASE),
    re.compile(r"""<[^>]+class=["'][^"']*profile_nickname[^"']*["'][^>]*>\s*([^<>]{1,60}?)\s*<""", re.IGNORECASE),
    re.compile(r"""<meta[^>]+(?:name|property)=["'](?:og:article:author|weixin:account)["'][^>]+content=["']([^"']{1,60})["']""",
               re.IGNORECASE),
)


def page_account(markup: str) -> str | None:
    """The account that published a WeChat (公众号) page, as the page prints it (#js_name, ``var nickname``,
    profile_nickname)."""
    for pattern in _ACCOUNT:
        match = pattern.search(markup)
        if match:
            name = " ".join(html.unescape(match.group(1)).split())
            if name and name.lower() not in load_publishers().platforms:
                return name
    return None


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|｜_]\s+|\s*[|｜_]\s*|\s+-\s*|\s*-\s+")
_POWERED = re.compile(r"powered\s+by|discuz|phpwind|手机版|移动版", re.IGNORECASE)


def site_from_title_tag(markup: str, title: str) -> str | None:
    """The site (a forum's name) from ``<title>帖子 - 版块 - 论坛名 - Powered by Discuz!</title>``: the last part
    that is neither the article's title nor the forum software."""
    match = _TITLE_TAG.search(markup[:20000])
    if not match:
        return None
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(html.unescape(" ".join(match.group(1).split()))) if p.strip()]
    parts = [p for p in parts if not _POWERED.search(p)]
    if len(parts) < 2:
        return None
    site = parts[-1]
    return None if _fold(site) == _fold(title) or _fold(site) in _fold(title) else site
