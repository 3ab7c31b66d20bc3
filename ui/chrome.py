"""Streamlit's own interface texts in Chinese: a script-and-style-only component (``st.components.v2``, the
supported custom-component API) mounted once per page.

Streamlit has no language setting; its widgets print English ("Drag and drop file here", "200MB per file • ZIP",
"Choose options", "Press Ctrl+Enter to apply", the table toolbar's tooltips, "Running..."). The script rewrites
exactly those known strings (text, placeholder, title and aria-label) as Streamlit draws them, and the style hides
the key hints. It touches no app text: only whole strings in the table below are replaced.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["TEXTS", "chinese_chrome"]

# Streamlit's English -> what the page says instead (whole strings only; ``{n}``: the number in the English).
TEXTS: dict[str, str] = {
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Browse files": "选择文件",
    "Upload": "选择文件",
    "file upload": "上传文件",
    "Choose options": "请选择",
    "Choose an option": "请选择",
    "No options to select": "没有可选项",
    "No results": "无匹配项",
    "Download as CSV": "下载表格",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Running...": "运行中…",
    "Stop": "停止",
    "Connecting": "连接中",
    "Clear all": "全部清除",
    "Remove": "移除",
    "Delete file": "删除文件",
    "Open": "展开",
    "Close": "关闭",
    "Dismiss": "关闭",
    "Copy to clipboard": "复制",
}

_JS = """
export default function(component) {
  const { data } = component;
  const texts = data.texts;
  const limit = /^(?:Limit )?(\\d+(?:\\.\\d+)?)\\s*([KMG]B) per file(?:\\s*•\\s*(.*))?$/;
  const fix = (value) => {
    if (typeof value !== "string") return null;
    const t = value.trim();
    if (Object.prototype.hasOwnProperty.call(texts, t)) return texts[t];
    const m = t.match(limit);
    if (m) return "单个文件不超过 " + m[1] + " " + m[2] + (m[3] ? " · " + m[3] : "");
    return null;
  };
  const run = () => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const p = node.parentElement;
      if (!p || p.closest("textarea, [contenteditable]")) continue;
      // app text is Markdown: left alone, except the uploader's own button label
      if (p.closest("[data-testid='stMarkdownContainer']") && !p.closest("[data-testid='stFileUploader']")) continue;
      const fixed = fix(node.nodeValue);
      if (fixed !== null) node.nodeValue = fixed;
    }
    for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
      for (const attr of ["placeholder", "title", "aria-label"]) {
        const fixed = fix(el.getAttribute(attr));
        if (fixed !== null) el.setAttribute(attr, fixed);
      }
    }
  };
  let queued = false;
  const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; run(); }); } };
  const observer = new MutationObserver(schedule);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
                                    attributeFilter: ["placeholder", "title", "aria-label"] });
  run();
  return () => observer.disconnect();
}
"""

# Key hints ("Press Ctrl+Enter to apply") say nothing a Chinese label does not.
# (two lines: a one-line string with brackets would be taken for a file glob by the component API)
_CSS = """/* ra: Streamlit's key hints hidden */
[data-testid="InputInstructions"] { display: none !important; }
"""

_component = st.components.v2.component("ra_chinese_chrome", js=_JS, css=_CSS, isolate_styles=False)


def chinese_chrome() -> None:
    _component(key="ra_chinese_chrome", data={"texts": TEXTS})
