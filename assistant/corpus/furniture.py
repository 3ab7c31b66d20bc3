"""Page furniture out of a document's body before chunking: running headers/footers repeated on PDF pages, page
numbers, report banners, bylines and editor lines, meeting headers, disclaimers, contact blocks, share bars and
related-article lists. Pure functions; each returns the text and how many lines it removed (for the report).

A line is removed only when it is furniture as a whole (short, of a known shape); prose that merely mentions a
source or a time stays.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["strip_furniture", "strip_running_lines"]

_EDGE = 3  # lines at the top and the bottom of a page where running headers and footers stand
_SHORT = 90

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_－·•\s]*\d{1,4}[-—–_－·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$",
    re.IGNORECASE)
_BANNER = re.compile(r"^.{0,24}证券研究报告.{0,60}$|^(?:行业|公司|策略|宏观|固收|金工)(?:研究|点评|深度|报告|周报|月报|专题)"
                     r"\s*[|｜/].{0,50}$")
_BYLINE = re.compile(
    r"^(?:[^\s，。,]{2,14}(?:报道|出品|原创|编译)\s*)?(?:(?:责任|文字|图片)?编辑|作者|责编|记者|撰文|编译|校对|审核|审校|出品|"
    r"文|图|来源|来自|出处|转载自|原标题|楼主|发帖人|帖子作者)\s*[:：|｜/]\s*\S.{0,70}$|^[^\s，。,]{2,14}(?:报道|原创)$|"
    r"^(?:楼主\s*)?(?:发表于|发布于|发帖时间[:：]?)\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s*[|｜]?\s*(?:只看该作者|显示全部楼层|倒序浏览|阅读模式)\s*)*$|"
    r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s+(?:来源|作者|编辑)\s*[:：].{0,80}$|"
    r"^[^\s，。,]{1,12}\s*发自\s*[^\s，。,]{1,12}$|^[^\s，。,]{1,12}\s*[|｜]\s*公众号\s*\S{1,30}$|"
    r"^[^\s，。,]{0,12}记者\s*[^\s，。,]{2,4}(?:\s*[|｜/]?\s*(?:(?:责任)?编辑|实习生|通讯员)\s*[:：]?\s*[^\s，。,]{2,8})*$|"
    r"^[（(]本文(?:来自|来源|转载自|首发于|经授权转载).{0,80}[)）]$|^(?:本文)?(?:来源|转自)[:：]?\S{1,20}(?:公众号|微信号)[:：]?\S{0,30}$")
# The guarantee every listed company's announcement opens with: boilerplate, not news.
_GUARANTEE = re.compile(r"^本公司(?:及)?(?:董事会|监事会)?(?:及|和)?全体(?:董事|监事|成员|董事、监事).{0,40}保证.{0,120}"
                        r"(?:法律责任|连带责任)。?$")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[【［]\s*20\d{2}\s*[〕\]】］]\s*\d{1,4}\s*号$")  # 文号 alone on its line
_MEETING = re.compile(r"^(?:会议)?(?:时间|日期|地点|形式|主持人?|参会人员?|参会嘉宾|与会(?:人员|专家)|访谈专家|嘉宾|专家|"
                      r"记录人?|整理人?|主题|会议主题)\s*[:：]")
_CONTACT = re.compile(r"^(?:联系人|联系电话|电话|手机|传真|邮箱|电子邮箱|e-?mail|地址|邮编|邮政编码|网址|客服热线|微信号)\s*[:：]"
                      r"|执业证书编号|(?:分析师|研究助理)\s*[:：]?\s*[\u4e00-\u9fff]{2,4}\s*(?:S\d{4}|\(|（|$)", re.IGNORECASE)
_SOCIAL = re.compile(r"^(?:END|[-—–=]+\s*(?:END|完)\s*[-—–=]+|[（(]完[）)]|(?:点击|扫描|扫码|长按).{0,24}(?:关注|二维码|阅读原文|订阅)"
                     r".{0,20}|(?:阅读原文|原文链接|本文链接|分享到)\s*[:：]?.{0,60}|(?:分享|转发|点赞|在看|收藏|评论)"
                     r"(?:[、\s/|｜]*(?:分享|转发|点赞|在看|收藏|评论))*)$", re.IGNORECASE)
# Once these begin (in the latter part of a text), the rest is not the article.
_TAIL = re.compile(r"^(?:[【\[]?\s*(?:免责声明|重要声明|法律声明|特别声明|一般声明|分析师声明|分析师承诺|投资评级说明|评级说明|"
                   r"风险提示及免责条款|相关阅读|相关文章|推荐阅读|延伸阅读|相关新闻|相关报道|热门推荐|猜你喜欢|往期回顾|往期推荐|"
                   r"更多阅读|热门文章)\s*[】\]]?)\s*[:：]?")


# An analyst line a PDF's wrapping glued to the paragraph below it: the line goes, the paragraph stays.
_ANALYST_PREFIX = re.compile(r"^(?:分析师|研究员|研究助理)\s*[:：]?\s*[\u4e00-\u9fff·]{2,4}\s*(?:SAC\s*)?"
                             r"(?:执业证书编号|执业编号|证书编号)\s*[:：]?\s*S\d{13}\s*")


def _norm(line: str) -> str:
    """A line with its digits folded: "第 3 页" and "第 4 页", or headers carrying the page number, compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def strip_running_lines(pages: list[str]) -> tuple[list[str], int]:
    """Remove lines standing at the top or bottom of at least half of the pages (and of two at least): running
    headers and footers such as a report banner or "XX 市人民政府公报 第 # 期"."""
    if len(pages) < 2:
        return pages, 0
    edges: list[list[tuple[int, str]]] = []
    seen: Counter[str] = Counter()
    for page in pages:
        lines = page.split("\n")
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = [(i, _norm(lines[i])) for i in sorted(set(filled[:_EDGE] + filled[-_EDGE:]))]
        edges.append(edge)
        seen.update({n for _i, n in edge})
    need = max(2, (len(pages) + 1) // 2)
    running = {n for n, count in seen.items() if count >= need and n}
    out: list[str] = []
    removed = 0
    for page, edge in zip(pages, edges, strict=True):
        drop = {i for i, n in edge if n in running}
        removed += len(drop)
        out.append("\n".join(line for i, line in enumerate(page.split("\n")) if i not in drop))
    return out, removed


def _furniture(line: str, head: bool) -> bool:
    text = line.strip()
    if _PAGE_NUMBER.match(text):
        return True
    if len(text) > _SHORT * 2:
        return False
    if _GUARANTEE.match(text):
        return True
    if _BANNER.match(text) or _SOCIAL.match(text) or (len(text) <= _SHORT and _CONTACT.search(text)):
        return True
    if len(text) <= _SHORT and _BYLINE.match(text) and "。" not in text.rstrip("。"):
        return True
    return head and ((len(text) <= _SHORT * 1.5 and bool(_MEETING.match(text))) or bool(_DOC_NUMBER.match(text)))


def strip_furniture(text: str) -> tuple[str, int]:
    """The body without furniture lines; (text, number of lines removed). Meeting headers count only near the
    top; a disclaimer or related-articles heading in the latter part of the text ends the body there."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    head_limit = filled[min(len(filled) - 1, 14)] if filled else 0
    out: list[str] = []
    removed = 0
    position = 0  # among the non-blank lines
    for i, line in enumerate(lines):
        if not line.strip():
            out.append("")  # paragraph breaks stay
            continue
        if _TAIL.match(line.strip()) and position >= 0.4 * len(filled):
            removed += len(filled) - position
            break
        position += 1
        glued = _ANALYST_PREFIX.match(line.strip())
        if glued and glued.end() < len(line.strip()):
            removed += 1
            line = line.strip()[glued.end():]
        if _furniture(line, i <= head_limit):
            removed += 1
            continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip(), removed
