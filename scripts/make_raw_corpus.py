"""Make the raw-corpus sample (``assistant/data/sample/raw/``): files as an analyst collects them.

Saved web pages with navigation, adverts, share buttons, related links, comments and scripts; a policy document as
a two-column PDF (CJK font from mplfonts); a Word note; an RSS and an Atom feed. The builders are also used by the
tests (``tests/corpus``) and by ``bench/bench_ingest_files.py``. Needs the dev extra ``fpdf2``.

    python scripts/make_raw_corpus.py [--out assistant/data/sample/raw]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import textwrap
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assistant" / "data" / "sample" / "raw"
_FIXED = dt.datetime(2024, 7, 31, 12, 0, tzinfo=dt.UTC)  # fixed document timestamps: reproducible bytes


def cjk_font() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf"


# ---------------------------------------------------------------- saved web pages
def page_html(*, title: str, paragraphs: Sequence[str], site: str, url: str | None = None,
              published: str | None = None, lang: str = "zh-CN", byline: str = "",
              title_tag: str | None = None) -> str:
    """A page as a browser saves it: the article inside navigation, adverts, share bar, related links, comments,
    cookie banner and scripts. ``published`` goes into the page's metadata; ``byline`` is a visible line."""
    meta = [f'<meta property="og:title" content="{html.escape(title)}">',
            f'<meta property="og:site_name" content="{html.escape(site)}">']
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if url:
        meta.append(f'<link rel="canonical" href="{html.escape(url)}">')
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title_tag if title_tag is not None else html.escape(title)} - {html.escape(site)}</title>
{chr(10).join(meta)}
<script>window.dataLayer=[];function track(){{document.write('<div>广告位</div>');}}</script>
<style>.ad{{display:block}} .nav li{{float:left}}</style>
</head><body>
<div id="cookie">本站使用 Cookie 改善体验。<button>同意</button></div>
<header><nav class="nav"><ul><li><a href="/">首页</a></li><li><a href="/ai">人工智能</a></li>
<li><a href="/chip">芯片</a></li><li><a href="/login">登录</a></li><li><a href="/app">下载客户端</a></li></ul></nav></header>
<div class="ad">【广告】618 年中大促，旗舰手机直降 1000 元，点击立即抢购！</div>
<main><article>
<h1>{title_tag if title_tag is not None else html.escape(title)}</h1>
<div class="byline">{byline}</div>
{body}
</article></main>
<div class="share">分享到：微信 微博 QQ空间 复制链接</div>
<aside class="related"><h3>相关阅读</h3><ul>
<li><a href="/r/1">苹果发布 iOS 18 测试版，新增多项 AI 功能</a></li>
<li><a href="/r/2">小米汽车交付量再创新高</a></li>
<li><a href="/r/3">本周数码新品盘点</a></li></ul></aside>
<section id="comments"><h3>网友评论（3）</h3>
<div class="comment">沙发！</div><div class="comment">国产加油，期待更多应用落地。</div>
<div class="comment">价格什么时候能再便宜点？</div></section>
<footer>© 2024 {html.escape(site)} 版权所有 | 关于我们 | 联系我们 | 京ICP备00000000号</footer>
<script>track(); console.log("loaded");</script>
</body></html>
"""


# ---------------------------------------------------------------- PDF
def two_column_pdf(*, title: str, left: Sequence[str], right: Sequence[str], author: str | None,
                   created: dt.datetime | None, footer: str = "", font: Path | None = None) -> bytes:
    """A two-column page whose content stream runs across the page line by line (left line, right line, …),
    as many typesetting tools write it: a reader that follows lines rather than columns interleaves them."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(created or _FIXED)
    if author:
        pdf.set_author(author)
    pdf.set_title(title)
    pdf.set_producer("make_raw_corpus")
    if font is not None:
        pdf.add_font("body", fname=str(font))
        name = "body"
    else:
        name = "helvetica"
    pdf.add_page()
    pdf.set_font(name, size=15)
    pdf.set_xy(15, 18)
    pdf.cell(180, 10, title, align="C")
    pdf.set_font(name, size=10)
    y = 36.0
    for n in range(max(len(left), len(right))):
        if n < len(left):
            pdf.set_xy(15, y)
            pdf.cell(85, 6, left[n])
        if n < len(right):
            pdf.set_xy(110, y)
            pdf.cell(85, 6, right[n])
        y += 6.5
    if footer:
        pdf.set_xy(15, 280)
        pdf.cell(180, 6, footer, align="C")
    return bytes(pdf.output())


def scanned_pdf(pages: int = 1) -> bytes:
    """Pages that are only an image (a scan): no text layer at all."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF(format="A4")
    pdf.set_creation_date(_FIXED)
    for _ in range(pages):
        image = Image.new("L", (600, 840), 255)
        draw = ImageDraw.Draw(image)
        for row in range(60, 800, 22):
            draw.rectangle((50, row, 550 - (row * 7) % 120, row + 9), fill=40)  # lines of "print"
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters: Chinese anywhere, other text between words."""
    if text.isascii():
        return textwrap.wrap(text, width)
    return [text[i:i + width] for i in range(0, len(text), width)]


# ---------------------------------------------------------------- Word
def docx_note(*, title: str, paragraphs: Sequence[str], author: str | None, created: dt.datetime | None,
              table: Sequence[Sequence[str]] = ()) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author or ""
    document.core_properties.created = created or _FIXED
    document.core_properties.modified = created or _FIXED
    document.core_properties.last_modified_by = author or ""
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- feeds
def rss_feed(*, title: str, link: str, entries: Sequence[dict[str, str]]) -> str:
    """RSS 2.0; each entry: title, link, date (YYYY-MM-DD or ""), description (HTML allowed), guid optional."""
    items = []
    for e in entries:
        date = ""
        if e.get("date"):
            day = dt.datetime.fromisoformat(e["date"]).replace(hour=8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
            date = f"<pubDate>{day.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
        items.append(f"""  <item>
    <title>{xml_escape(e["title"])}</title>
    <link>{xml_escape(e["link"])}</link>
    <guid isPermaLink="false">{xml_escape(e.get("guid") or e["link"])}</guid>
    {date}
    <description>{xml_escape(e["description"])}</description>
  </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>{xml_escape(title)}</title>
  <link>{xml_escape(link)}</link>
  <description>{xml_escape(title)} 最新资讯</description>
{chr(10).join(items)}
</channel></rss>
"""


def atom_feed(*, title: str, link: str, entries: Sequence[dict[str, str]]) -> str:
    """Atom 1.0; each entry: title, link, date (YYYY-MM-DD), content (HTML allowed), id optional."""
    items = []
    for e in entries:
        items.append(f"""  <entry>
    <title>{xml_escape(e["title"])}</title>
    <link href="{xml_escape(e["link"])}"/>
    <id>{xml_escape(e.get("id") or e["link"])}</id>
    <published>{e["date"]}T09:00:00Z</published>
    <updated>{e["date"]}T09:00:00Z</updated>
    <content type="html">{xml_escape(e["content"])}</content>
  </entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{xml_escape(title)}</title>
  <link href="{xml_escape(link)}"/>
  <id>{xml_escape(link)}</id>
  <updated>2024-07-31T00:00:00Z</updated>
{chr(10).join(items)}
</feed>
"""


# ---------------------------------------------------------------- the sample folder
SDEX = ["7 月 18 日，上海数据交易所“碳板块”正式发布上线，首批挂牌碳数据产品 20 余个，涵盖碳排放核算、碳足迹与绿色金融等场景。",
        "上海数据交易所表示，碳板块将依托数据要素市场化配置改革，推动碳数据的确权、定价与流通交易，服务企业低碳转型。",
        "截至目前，上海数据交易所累计挂牌数据产品超过 2000 个，数商数量突破 1000 家，数据交易规模持续增长。",
        "业内人士认为，碳数据与金融、制造等领域的融合应用，将成为数据要素价值释放的重要方向。"]


def sample_files() -> dict[str, bytes]:
    """File name -> bytes of the sample folder."""
    files: dict[str, bytes] = {}
    files["ithome-glm4-0712.html"] = page_html(
        title="智谱发布 GLM-4-Plus 新版本，推理能力大幅提升", site="IT之家",
        url="https://www.ithome.com/0/781/123.htm", published="2024-07-12T09:30:00+08:00",
        byline="2024/7/12 9:30:00 来源：IT之家 作者：汐元 责编：汐元",
        paragraphs=["IT之家 7 月 12 日消息，智谱 AI 今日发布 GLM-4-Plus 新版本，在数学推理与代码生成等多项基准测试中取得显著提升。",
                    "据介绍，新版本支持 128K 上下文窗口，并将 API 调用价格下调 50%，面向企业开发者全面开放。",
                    "智谱表示，新模型已在金融、政务、医疗等领域落地多个应用案例，未来将持续推进开源生态建设。"],
    ).encode("utf-8")
    files["venturebeat-gpt4o-mini.html"] = page_html(
        title="OpenAI unveils GPT-4o mini, a smaller and much cheaper multimodal model", site="VentureBeat",
        url="https://venturebeat.com/ai/openai-unveils-gpt-4o-mini/", published="2024-07-18T10:00:00-07:00",
        lang="en", byline="July 18, 2024 10:00 AM",
        paragraphs=["OpenAI on Thursday released GPT-4o mini, a small model that the company says is more capable and "
                    "far cheaper than GPT-3.5 Turbo.",
                    "The model scores 82% on the MMLU benchmark and costs 15 cents per million input tokens and 60 cents "
                    "per million output tokens, more than 60% cheaper than GPT-3.5 Turbo.",
                    "GPT-4o mini supports text and vision in the API today, with audio and video inputs to follow."],
    ).encode("utf-8")
    files["xinhua-sdex-carbon.html"] = page_html(
        title="上海数据交易所碳板块正式发布上线", site="新华网",
        url="http://www.news.cn/tech/20240718/8c3f1a2b/c.html", byline="来源：新华网", paragraphs=SDEX,
    ).encode("utf-8")
    files["forum-ai-glasses.htm"] = page_html(
        title="网友热议：AI 眼镜新品发布，续航与隐私成焦点", site="AI 爱好者社区", byline="楼主：科技观察员",
        paragraphs=["本周多家厂商发布 AI 眼镜新品，支持实时翻译、拍照识物与语音助手等功能。",
                    "网友关注的焦点集中在续航表现与摄像头带来的隐私问题，厂商表示将提供物理遮挡与本地处理选项。"],
    ).encode("utf-8")
    files["forum-ai-glasses.htm.yaml"] = "date: 2024-07-25\nsource: AI 爱好者社区\n".encode()
    policy = ("为贯彻落实党中央、国务院关于发展数字经济的决策部署，加快构建以数据为关键要素的数字经济，"
              "充分发挥数据要素乘数效应，推动人工智能与实体经济深度融合，现就推进人工智能产业标准化工作提出以下意见。"
              "一、总体要求。坚持创新驱动、应用牵引、标准先行，到 2026 年，新制定国家标准和行业标准 50 项以上，"
              "引领人工智能产业高质量发展的标准体系加快形成。")
    tasks = ("二、重点任务。（一）加强基础共性标准研制，包括术语、参考架构与测试评估。（二）推进关键技术标准，"
             "覆盖机器学习、知识图谱、大模型与人机混合增强智能。（三）完善行业应用标准，面向智能制造、智慧交通与"
             "智慧医疗等重点领域。三、保障措施。加强统筹协调，鼓励企业、高校和科研机构参与标准制定。")
    files["miit-ai-standards-policy.pdf"] = two_column_pdf(
        title="关于推进人工智能产业标准化工作的指导意见", left=wrap(policy, 22), right=wrap(tasks, 22),
        author="工业和信息化部", created=dt.datetime(2024, 7, 5, 10, 0, tzinfo=dt.UTC),
        footer="工业和信息化部 2024年7月5日", font=cjk_font())
    files["morning-note-compute.docx"] = docx_note(
        title="晨会纪要：国产算力产业链跟踪（7 月第 4 周）", author="银河计算机团队",
        created=dt.datetime(2024, 7, 22, 8, 30, tzinfo=dt.UTC),
        paragraphs=["日期：2024年7月22日", "来源：银河计算机团队",
                    "本周国产 AI 芯片厂商密集发布新品：某头部厂商推出训练芯片新版本，算力较上一代提升约 2 倍，"
                    "并与多家服务器厂商完成适配。",
                    "我们认为，国产算力产业链在先进封装、高速互联与软件生态方面仍有追赶空间，但下游智算中心"
                    "建设需求旺盛，订单能见度提升。"],
        table=[["环节", "代表公司", "本周动态"], ["AI 芯片", "海光信息", "新品发布"],
               ["服务器", "中科曙光", "完成适配"]])
    files["jiqizhixin-rss.xml"] = rss_feed(title="机器之心", link="https://www.jiqizhixin.com/", entries=[
        {"title": "FlashAttention-3 发布：H100 利用率提升至 75%", "link": "https://www.jiqizhixin.com/articles/2024-07-12-3",
         "date": "2024-07-12",
         "description": "<p>FlashAttention-3 利用 Hopper 架构的异步执行与 FP8 低精度，<b>在 H100 上</b>达到 740 TFLOPS，"
                        "GPU 利用率提升至 75%。</p><script>alert(1)</script>"},
        {"title": "上海数据交易所碳板块正式发布上线", "link": "http://www.news.cn/tech/20240718/8c3f1a2b/c.html",
         "date": "2024-07-18", "description": SDEX[0]},
    ]).encode("utf-8")
    files["deepmind-atom.xml"] = atom_feed(title="Google DeepMind Blog", link="https://deepmind.google/blog/", entries=[
        {"title": "JEST: data curation via joint example selection speeds up multimodal learning",
         "link": "https://deepmind.google/research/jest/", "date": "2024-07-08",
         "content": "<p>Joint example selection (JEST) picks batches of data jointly rather than one example at a "
                    "time, and reaches state-of-the-art performance with up to 13 times fewer iterations and 10 "
                    "times less computation.</p>"},
    ]).encode("utf-8")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in sample_files().items():
        (args.out / name).write_bytes(data)
        print(f"{args.out / name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
