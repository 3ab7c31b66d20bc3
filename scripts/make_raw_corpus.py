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
def page_html(*, title: str, paragraphs: Sequence[str], site: str | None, url: str | None = None,
              published: str | None = None, lang: str = "zh-CN", byline: str = "",
              title_tag: str | None = None, extra_head: str = "", extra_article: str = "") -> str:
    """A page as a browser saves it: the article inside navigation, adverts, share bar, related links, comments,
    cookie banner and scripts. ``published`` goes into the page's metadata; ``byline`` is a visible line;
    ``site=None`` leaves out og:site_name (many sites do not set it)."""
    meta = [f'<meta property="og:title" content="{html.escape(title)}">']
    if site is not None:
        meta.append(f'<meta property="og:site_name" content="{html.escape(site)}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if url:
        meta.append(f'<link rel="canonical" href="{html.escape(url)}">')
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title_tag if title_tag is not None else html.escape(title) + " - " + html.escape(site or "")}</title>
{chr(10).join(meta)}
{extra_head}
<script>window.dataLayer=[];function track(){{document.write('<div>广告位</div>');}}</script>
<style>.ad{{display:block}} .nav li{{float:left}}</style>
</head><body>
<div id="cookie">本站使用 Cookie 改善体验。<button>同意</button></div>
<header><nav class="nav"><ul><li><a href="/">首页</a></li><li><a href="/ai">人工智能</a></li>
<li><a href="/chip">芯片</a></li><li><a href="/login">登录</a></li><li><a href="/app">下载客户端</a></li></ul></nav></header>
<div class="ad">【广告】618 年中大促，旗舰手机直降 1000 元，点击立即抢购！</div>
<main><article>
<h1>{html.escape(title)}</h1>
<div class="byline">{byline}</div>
{extra_article}
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
<footer>© 2024 {html.escape(site or "")} 版权所有 | 关于我们 | 联系我们 | 京ICP备00000000号</footer>
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


def document_pdf(*, pages: Sequence[Sequence[tuple[str, str]]], header: str = "", footer: str = "",
                 meta_title: str | None = None, author: str | None = None, created: dt.datetime | None = None,
                 font: Path | None = None) -> bytes:
    """A multi-page document as offices print it. Each page is a list of (style, text): ``issuer`` (large type, as
    the issuing body's name heads page 1), ``number`` (文号), ``title`` (the largest heading after the issuer),
    ``text`` (body, wrapped), ``right`` (signature block). ``header`` runs on every page; ``footer`` may hold
    ``{n}``/``{total}`` (page numbers). Metadata as given (None: no title/author in the document info)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(created or _FIXED)
    if author:
        pdf.set_author(author)
    if meta_title:
        pdf.set_title(meta_title)
    pdf.set_producer("make_raw_corpus")
    pdf.set_auto_page_break(False)
    pdf.add_font("body", fname=str(font or cjk_font()))
    sizes = {"issuer": 22.0, "title": 16.0, "number": 11.0, "text": 11.0, "right": 11.0}
    for n, lines in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.set_font("body", size=9)
            pdf.set_xy(15, 8)
            pdf.cell(180, 5, header, align="C")
        y = 20.0
        for style, text in lines:
            pdf.set_font("body", size=sizes[style])
            height = sizes[style] * 0.6
            chunks = wrap(text, 38 if style == "text" else 24) if style in {"text", "title"} else [text]
            for k, chunk in enumerate(chunks):
                pdf.set_xy(15 if style != "right" else 110, y)
                indent = "　　" if style == "text" and k == 0 else ""
                pdf.cell(180 if style != "right" else 85, height, indent + chunk,
                         align="C" if style in {"issuer", "title", "number"} else "L")
                y += height + 1.2
            y += 2.0
        if footer:
            pdf.set_font("body", size=9)
            pdf.set_xy(15, 284)
            pdf.cell(180, 5, footer.format(n=n, total=len(pages)), align="C")
    return bytes(pdf.output())


def wechat_page(*, title: str, account: str, published: str, paragraphs: Sequence[str],
                nickname_var: bool = True) -> str:
    """A WeChat (公众号) article as saved from the browser: og:site_name is the platform's, the account's name is
    in #js_name / profile_nickname and the page script."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    script = f'var nickname = htmlDecode("{account}");' if nickname_var else "var ct = \"1721440800\";"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="微信公众平台">
<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&amp;mid=2650">
<script>{script} var msg_title = "{html.escape(title)}";</script>
</head><body>
<div id="js_article" class="rich_media">
<h1 class="rich_media_title" id="activity-name">{html.escape(title)}</h1>
<div id="meta_content" class="rich_media_meta_list">
<span class="rich_media_meta rich_media_meta_text">原创</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">
{html.escape(account)}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">{published}</em>
</div>
<div class="rich_media_content" id="js_content">
{body}
</div>
<div class="profile_inner"><strong class="profile_nickname">{html.escape(account)}</strong>
<p class="profile_meta">微信号 <span class="profile_meta_value">gh_0000000000</span></p></div>
<div id="js_pc_qr_code">微信扫一扫关注该公众号</div>
</div></body></html>
"""


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
              table: Sequence[Sequence[str]] = (), heading: str | bool | None = True) -> bytes:
    """A Word file; ``title``/``author``/``created`` go into the core properties (as Word leaves them, junk
    included); ``heading`` is the Heading-1 paragraph (True: the title; None: no heading)."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author or ""
    document.core_properties.created = created or _FIXED
    document.core_properties.modified = created or _FIXED
    document.core_properties.last_modified_by = author or ""
    if heading is not None:
        document.add_heading(title if heading is True else str(heading), level=1)
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
    files.update(collected_files())
    return files


def collected_files() -> dict[str, bytes]:
    """Files as collected with nothing added by hand (issue 21): PDFs whose publisher is printed only at the head of
    page 1, multi-page PDFs with running headers and page numbers, Word files with junk core properties, a broker
    note, an expert-call transcript, WeChat pages, pages with bylines and related-article lists. The truth for
    each file is written by hand in ``assistant/data/sample/raw.truth.yaml``, not derived from here."""
    files: dict[str, bytes] = {}
    files["cac-ai-safety-framework.pdf"] = document_pdf(
        meta_title="Microsoft Word - 人工智能安全治理框架-定稿0706.docx", author="Administrator",
        created=dt.datetime(2024, 7, 6, 9, 0, tzinfo=dt.UTC), header="网信办公报 2024 年第 7 期",
        footer="— {n} —", pages=[
            [("issuer", "国家互联网信息办公室"), ("number", "国信办发〔2024〕12号"),
             ("title", "关于印发《人工智能安全治理框架》的通知"),
             ("text", "各省、自治区、直辖市网信办，新疆生产建设兵团网信办："),
             ("text", "为落实《全球人工智能治理倡议》，推动人工智能安全治理，现将《人工智能安全治理框架》1.0 版印发给你们，"
                      "请结合实际认真贯彻执行。框架提出了包容审慎、确保安全，风险导向、敏捷治理等四项原则。"),
             ("text", "框架针对模型算法安全、数据安全和系统安全等内生安全风险，以及网络域、现实域、认知域、伦理域等应用"
                      "安全风险，提出了相应的技术应对和综合防治措施。")],
            [("text", "在综合治理方面，框架明确了四项重点举措：一是实施人工智能应用分类分级管理，对高风险应用开展评估；"),
             ("text", "二是建立人工智能服务可追溯管理制度，对面向公众的服务进行数字证书管理；"),
             ("text", "三是完善人工智能数据安全和个人信息保护规范，明确训练数据的来源合规要求；"),
             ("text", "四是构建负责任的人工智能研发应用体系，强化伦理审查。"),
             ("text", "各地网信部门要加强组织领导，结合本地区实际制定落实措施，及时报送工作进展。")],
            [("text", "框架将根据人工智能技术发展和产业实践持续更新完善，为全球人工智能治理贡献中国方案。"),
             ("right", "国家互联网信息办公室"), ("right", "2024年7月9日")]])
    files["tc260-data-security-standard.pdf"] = document_pdf(
        created=dt.datetime(2024, 7, 13, 2, 0, tzinfo=dt.UTC), footer="第 {n} 页 共 {total} 页", pages=[
            [("issuer", "全国网络安全标准化技术委员会"),
             ("title", "生成式人工智能预训练和优化训练数据安全规范（征求意见稿）"),
             ("number", "2024-07-15 发布"),
             ("text", "本文件规定了生成式人工智能预训练和优化训练数据及其处理活动的安全要求，适用于服务提供者开展训练"
                      "数据处理活动，也可为主管部门和第三方评估机构提供参考。"),
             ("text", "第一条 为规范生成式人工智能训练数据处理活动，保障训练数据安全，制定本规范。"),
             ("text", "第二条 服务提供者应当建立训练数据来源审核机制，对训练数据来源的合法性进行评估。")],
            [("text", "第三条 服务提供者应当对训练数据进行分类分级管理，含有个人信息的数据应当取得个人同意。"),
             ("text", "第四条 服务提供者应当采取过滤措施，训练数据中违法不良信息的比例不应超过 5%。"),
             ("text", "第五条 服务提供者应当定期开展训练数据安全评估，并保存评估记录不少于三年。")]])
    files["sz-ai-pioneer-city-measures.pdf"] = document_pdf(
        author="lenovo", created=dt.datetime(2024, 7, 10, 8, 0, tzinfo=dt.UTC), header="深圳市人民政府公报",
        footer="- {n} -", pages=[
            [("issuer", "深圳市人民政府办公厅文件"), ("number", "深府办函〔2024〕25号"),
             ("title", "深圳市关于加快打造人工智能先锋城市的若干措施"),
             ("text", "为抢抓人工智能发展机遇，加快打造人工智能先锋城市，结合本市实际，制定以下措施。"),
             ("text", "一、强化算力供给。每年发放总额 5 亿元的“训力券”，支持企业租用智算中心算力，单家企业年度支持"
                      "最高 1000 万元。"),
             ("text", "二、加快模型研发。对新发布并通过备案的通用大模型，按研发投入给予最高 3000 万元资助。")],
            [("text", "三、推动场景开放。每年发布 100 个以上人工智能应用场景清单，重点覆盖政务、制造、交通与医疗。"),
             ("text", "本措施自发布之日起施行，有效期三年。"),
             ("right", "深圳市人民政府办公厅"), ("right", "2024年7月12日")]])
    files["broker-compute-industry-note.pdf"] = document_pdf(
        meta_title="行业点评", author="research", created=dt.datetime(2024, 7, 16, 1, 0, tzinfo=dt.UTC),
        header="证券研究报告｜行业点评｜计算机", footer="请务必阅读正文之后的免责条款部分 {n}/{total}", pages=[
            [("title", "AI 算力需求持续旺盛，国产替代加速推进"),
             ("text", "分析师：李四 执业证书编号：S0190519020001"),
             ("text", "投资要点：海外云厂商二季度资本开支同比增长超过 50%，国内智算中心招标规模环比提升，"
                      "我们维持计算机行业“推荐”评级。"),
             ("text", "我们认为，国产 AI 芯片在推理侧的渗透率将在 2025 年提升至 40% 以上，建议关注服务器与光模块环节。")],
            [("text", "风险提示：下游需求不及预期；国产芯片良率爬坡不及预期；行业竞争加剧。"),
             ("text", "分析师声明"),
             ("text", "本报告署名分析师具有中国证券业协会授予的证券投资咨询执业资格并注册为证券分析师。"),
             ("text", "远景证券研究所 2024年7月16日")]])
    files["cambricon-announcement.pdf"] = document_pdf(
        created=dt.datetime(2024, 7, 26, 10, 0, tzinfo=dt.UTC), pages=[
            [("number", "证券代码：688256 证券简称：寒武纪 公告编号：2024-030"),
             ("issuer", "中科寒武纪科技股份有限公司"),
             ("title", "关于签订日常经营重大合同的公告"),
             ("text", "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏，并对其内容的"
                      "真实性、准确性和完整性依法承担法律责任。"),
             ("text", "公司近日与某智算中心运营方签订智能计算集群系统销售合同，合同金额约 4.2 亿元，"
                      "预计对公司 2024 年度经营业绩产生积极影响。"),
             ("right", "中科寒武纪科技股份有限公司董事会"), ("right", "2024年7月26日")]])
    files["expert-call-ai-glasses.docx"] = docx_note(
        title="新建 Microsoft Word 文档", author="Administrator", created=dt.datetime(2024, 7, 12, 1, 0, tzinfo=dt.UTC),
        heading="专家电话会纪要：AI 眼镜供应链跟踪",
        paragraphs=["时间：2024年7月11日 15:00—16:00 形式：电话会议", "参会人：张三（某光学模组厂商前高管）",
                    "仅供内部参考，请勿外传。",
                    "问：AI 眼镜今年的出货预期如何？",
                    "答：头部品牌全年出货有望达到 150 万台，二代产品将加入显示功能，光波导方案成本仍偏高。",
                    "问：供应链哪些环节受益最明显？",
                    "答：SoC、光学模组和声学器件受益最明显，国内厂商在结构件和组装环节份额较高。"])
    files["data-element-news-copy.docx"] = docx_note(
        title="文档1", author="微软用户", created=dt.datetime(2024, 7, 30, 3, 0, tzinfo=dt.UTC), heading=None,
        paragraphs=["上海发布数据要素市场建设行动方案，提出三年培育 1000 家数商",
                    "2024年7月19日 来源：澎湃新闻",
                    "上海市近日发布《立足数字经济新赛道推动数据要素产业创新发展行动方案》，提出到 2025 年数据产业规模"
                    "达到 5000 亿元，培育 1000 家数商企业。",
                    "方案明确，将推动公共数据授权运营，建设国家级数据交易所，探索数据资产入表和数据资产质押融资。",
                    "业内人士表示，方案为数据要素市场化配置改革提供了地方样本。"])
    files["wechat-jiqizhixin-kimi.html"] = wechat_page(
        title="月之暗面 Kimi 开放 200 万字长上下文，开发者调用价格下调", account="机器之心",
        published="2024-07-20 10:00", paragraphs=[
            "机器之心报道 编辑：小舟",
            "7 月 20 日，月之暗面宣布 Kimi 智能助手面向全部用户开放 200 万字长上下文能力，并将 API 调用价格下调 30%。",
            "据介绍，新版本在长文档问答与代码理解任务上的准确率较上一版本提升约 15%，平均响应时延缩短至 2 秒以内。",
            "月之暗面表示，公司日活跃用户已超过 1000 万，企业开发者数量环比增长一倍。",
            "END", "往期推荐", "Meta 发布 Llama 3.1：405B 参数开源模型", "OpenAI 发布 GPT-4o mini",
            "点击阅读原文，了解更多"]).encode("utf-8")
    files["wechat-qbitai-chip.html"] = wechat_page(
        title="国产 GPU 厂商发布新一代训练卡，单卡算力提升 3 倍", account="量子位", nickname_var=False,
        published="2024-07-23 18:30", paragraphs=[
            "梦晨 发自 凹非寺",
            "量子位 | 公众号 QbitAI",
            "7 月 23 日，国产 GPU 厂商摩尔线程发布新一代训练卡，单卡 FP16 算力较上一代提升 3 倍，支持千卡集群互联。",
            "公司表示，新产品已与多家智算中心完成适配，三季度开始批量交付。",
            "— 完 —"]).encode("utf-8")
    files["sina-finance-robot-funding.html"] = page_html(
        title="人形机器人公司银河通用完成 7 亿元天使轮融资", site=None,
        title_tag="人形机器人公司银河通用完成 7 亿元天使轮融资",
        url="https://finance.sina.com.cn/tech/2024-07-22/doc-inceabcd1234.shtml",
        published="2024-07-22T14:20:00+08:00",
        paragraphs=["7 月 22 日，人形机器人公司银河通用宣布完成 7 亿元天使轮融资，由美团、北汽产投等联合投资。",
                    "本轮融资将用于具身智能大模型研发与人形机器人量产，公司计划年内交付首批商用机器人。",
                    "相关阅读：", "具身智能赛道上半年融资超百亿元", "特斯拉 Optimus 机器人进入工厂测试"],
    ).encode("utf-8")
    files["thepaper-title-as-site.html"] = page_html(
        title="国家数据局：加快建设全国一体化数据市场", site="国家数据局：加快建设全国一体化数据市场",
        title_tag="国家数据局：加快建设全国一体化数据市场",
        url="https://www.thepaper.cn/newsDetail_forward_28123456", published="2024-07-24T09:00:00+08:00",
        paragraphs=["国家数据局 7 月 24 日表示，将加快建设全国一体化数据市场，推动数据产权、流通交易、收益分配和安全"
                    "治理等基础制度落地。",
                    "国家数据局负责人介绍，目前全国已有 20 余家数据交易机构，上半年场内数据交易额同比增长超过 50%。",
                    "（本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP）"],
    ).encode("utf-8")
    files["forum-llm-price-war.htm"] = page_html(
        title="讨论：国产大模型价格战还能持续多久？", site=None,
        title_tag="讨论：国产大模型价格战还能持续多久？ - 人工智能版 - 机锋论坛 - Powered by Discuz!",
        byline="发表于 2024-7-21 10:02",
        paragraphs=["楼主：最近几家大模型厂商接连降价，部分轻量模型 API 已经免费，大家怎么看价格战的持续性？",
                    "多位网友认为，价格战将加速中小开发者接入，但长期看厂商仍需依靠企业级服务和私有化部署实现盈利。"],
    ).encode("utf-8")
    files["36kr-ai-search-funding.html"] = page_html(
        title="AI 搜索公司秘塔科技完成新一轮融资", site="36kr.com",
        url="https://36kr.com/p/2871234567890", published="2024-07-17T08:00:00+08:00",
        paragraphs=["文｜王五 编辑｜赵六",
                    "36氪获悉，AI 搜索公司秘塔科技近日完成新一轮融资，投资方包括多家知名机构，融资金额未披露。",
                    "秘塔 AI 搜索上线半年，月活跃用户已突破 500 万，公司将继续投入多模态搜索与专业检索场景。",
                    "推荐阅读", "AI 搜索赛道，谁能挑战百度？"],
    ).encode("utf-8")
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
