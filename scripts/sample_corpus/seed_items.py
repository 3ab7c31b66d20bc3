"""Seed items: every news item of docs/seed-2024-07.txt, text lifted verbatim where the seed has it."""
from seedtext import paras_of_cell, prose, row

PUB = {
    "新智元": "xinzhiyuan", "IT之家": "ithome", "澎湃新闻": "thepaper", "华尔街见闻": "wallstreetcn",
    "中国新闻网": "chinanews", "新华网": "xinhuanet", "光明网": "gmw", "央广网": "cnr", "中国日报网": "chinadaily",
    "证券时报网": "stcn", "证券时报": "stcn", "工业和信息化部": "miit", "中国机器人网": "robot-china",
    "中国农业大学新闻网": "cau", "36氪": "36kr", "智通财经": "zhitong", "中国经营报": "cb", "新华日报": "xhby",
    "新京报": "bjnews", "太平洋科技": "pconline", "CSDN": "csdn", "艾瑞咨询": "iresearch", "腾讯新闻": "qqnews",
    "IT桔子": "itjuzi", "来觅研究院": "laimi", "企查查": "qcc",
}
ITEMS: list[dict] = []


def add(date, slug, title, body, source, category, url=None):
    pub = PUB[source]
    doc_id = f"{date}-{slug}-{pub}"
    if isinstance(body, list):
        body = "\n\n".join(body)
    item = {"id": doc_id, "date": date, "title": title, "body": body, "source": source,
            "url": url or f"https://www.example.com/{pub}/{date.replace('-', '')}/{slug}.html"}
    if category:
        item["category"] = category
    ITEMS.append(item)
    return doc_id


def figures(doc_id, *captions):
    """The item's own figure captions (the pictures the seed's write-up reproduces), in order."""
    next(i for i in ITEMS if i["id"] == doc_id)["images"] = list(captions)


def headline_row(first, last=None):
    """Table 6/7/9 rows: first <p> is the headline, the rest the body."""
    paras = paras_of_cell(row(first, last)[-1])
    return paras[0], paras[1:]


# ---------------------------------------------------------------- table 6: data-element policies
t, b = headline_row(249, 251)
add("2024-07-23", "henan-data-elements-x", t, b, "央广网", "data_policy")
t, b = headline_row(252)
add("2024-07-22", "scio-data-bureau-briefing", t, b, "新华网", "data_policy")
t, b = headline_row(253)
add("2024-07-20", "jinan-data-hub-city", t, b, "中国经营报", "data_policy")
t, b = headline_row(254)
add("2024-07-20", "china-unicom-data-elements-plan", t, b, "光明网", "data_policy")
t, b = headline_row(255)
add("2024-07-18", "hangzhou-data-operation-center", t, b, "中国日报网", "data_policy")
t, b = headline_row(256, 258)
add("2024-07-17", "nanjing-jiangning-data-alliance", t, b, "新华日报", "data_policy")
t, b = headline_row(259)
add("2024-07-12", "four-ministries-digital-trade", t, b, "新京报", "data_policy")
t, b = headline_row(260)
add("2024-07-10", "guangzhou-data-regulation-draft", t, b, "中国经营报", "data_policy")
t, b = headline_row(261)
add("2024-07-06", "waic-data-elements-forum", t, b, "光明网", "data_policy")

# ---------------------------------------------------------------- table 7: data exchanges
t, b = headline_row(268)
add("2024-07-23", "sdex-public-data-zone", t, b, "中国新闻网", "data_exchange")
t, b = headline_row(269, 271)
add("2024-07-18", "sdex-carbon-board", t, b, "新华网", None)
# The seed prints this row under the Henan headline by mistake; the body is the SDEX x Neudata story.
_, b = headline_row(272)
add("2024-07-10", "sdex-neudata-global-data-merchants", "上海数据交易所与 Neudata 启动“全球数商招募计划”", b,
    "光明网", "data_exchange")

# ---------------------------------------------------------------- table 8: domestic LLMs
def cell(first, last=None):
    return paras_of_cell(row(first, last)[-1])


add("2024-07-30", "shengshu-vidu-global-launch", "生数科技自研视频大模型 Vidu 全球上线", cell(281), "证券时报网",
    "llm_domestic")
add("2024-07-28", "diting-seismic-wave-model", "“谛听”地震波大模型在成都发布", cell(282), "太平洋科技",
    "llm_domestic")
add("2024-07-18", "iflytek-spark-pro-128k", "讯飞星火推出 Spark Pro-128K 大模型", cell(283), "CSDN",
    "llm_domestic")
add("2024-07-12", "fenbi-fenbitou-vertical-model", "粉笔推出首个职教垂域大模型，AI 老师“粉笔头”8月1日上线",
    cell(284), "证券时报网", "llm_domestic")
add("2024-07-12", "sus-sports-model", "国内首个体育大模型——上体体育大模型发布", cell(285, 287), "太平洋科技",
    "llm_domestic")
add("2024-07-05", "sensetime-pathorchestra", "商汤医疗等发布国内首个病理大模型 PathOrchestra", cell(288),
    "证券时报网", "llm_domestic")

# ---------------------------------------------------------------- table 9: foreign LLMs
add("2024-07-16", "microsoft-spreadsheetllm", "微软开发表格大模型 SpreadsheetLLM", cell(295), "IT之家",
    "llm_foreign", "https://arxiv.org/abs/2407.09025")
t, b = headline_row(296)
add("2024-07-18", "openai-gpt4o-mini", t, b, "澎湃新闻", "llm_foreign",
    "https://openai.com/index/gpt-4o-mini-advancing-cost-efficient-intelligence/")
t, b = headline_row(297, 299)
# Core view 5 of the seed adds the training figures; kept verbatim (the seed's typo 记性 read as 进行).
b = [*b, "Llama 3.1 总共有8B、70B、405B三个参数规模，三个版本上下文窗口长度从8k扩展16倍到128k，并且同时支持8种语言，"
         "其中 Llama3.1-405B 采用超过15万亿个 token 进行训练，使用1.6万张英伟达 H100 芯片训练。Meta 表示 Llama "
         "3.1-405B 多项基准测试超过 OpenAI 的 GPT-4o。"]
LLAMA = add("2024-07-23", "meta-llama-3-1", t, b, "华尔街见闻", "llm_foreign",
            "https://ai.meta.com/blog/meta-llama-3-1/")
# The near-duplicate: the same story lightly rewritten by a second outlet (syndication with edits).
_dup = [p.replace("当地时间 7 月 23 日，Meta 正式发布 Llama 3.1。", "智通财经APP获悉，美国当地时间7月23日，Meta 正式推出"
                  "开源大模型 Llama 3.1。")
         .replace("作为开源领域的常青树，Llama 系列一直在引领开源大模型的脚步，Meta 也被奉为与 OpenAI 齐名的巨头，"
                  "分别代表着开源与闭源的技术走向。", "")
         .replace("评测结果显示，", "从评测结果看，")
         .replace("Meta 指出，", "Meta 还指出，")
        for p in b]
LLAMA_DUP = add("2024-07-23", "meta-llama-3-1-rewrite", "Meta 推出开源大模型 Llama 3.1，405B 版本比肩 GPT-4o", _dup,
                "智通财经", "llm_foreign")
add("2024-07-25", "mistral-large-2", "Mistral AI 发布新一代旗舰模型 Mistral Large 2", cell(300), "IT之家",
    "llm_foreign", "https://mistral.ai/news/mistral-large-2407/")

# ---------------------------------------------------------------- table 10: chips and servers
def split_title(first, title, last=None):
    text = "".join(row(first, last)[1:]).strip()
    if not text.startswith(title):
        raise SystemExit(f"title mismatch at line {first}")
    return [text[len(title):].strip()]


T = "亚马逊研发新 AI 芯片，成本仅为英伟达一半"
add("2024-07-26", "amazon-ai-chip-half-nvidia-cost", T, split_title(309, T), "华尔街见闻", "compute")
T = "Tenstorrent 推出基于 RISC-V 架构的高性能 AI 芯片"
add("2024-07-20", "tenstorrent-wormhole-risc-v", T, split_title(310, T), "IT之家", "compute")
T = "OpenAI 与博通携手探索新 AI 芯片研发"
add("2024-07-19", "openai-broadcom-ai-chip", T, split_title(311, T), "华尔街见闻", "compute")
T = "三星电子首次涉足 2 纳米 AI 芯片 将与日本 AI 企业合作开发"
add("2024-07-10", "samsung-2nm-ai-chip-pfn", T, split_title(312, T, 314), "澎湃新闻", None)

# ---------------------------------------------------------------- tech frontier write-ups (full text)
figures(add("2024-07-08", "pnn-physical-neural-networks", "PNN 或可从根本上改变 AI 系统高能耗、低吞吐率、高延迟等问题",
    prose(325, 342), "新智元", "tech_frontier", "https://arxiv.org/abs/2406.03372"),
    "PNN 训练方法发展时间表", "新兴的 PNN 技术")
figures(add("2024-07-12", "flashattention3", "FlashAttention-3 发布，H100 的 FLOP 利用率提升至 75%",
    prose(354, 388, skip=tuple(range(366, 387))), "新智元", "tech_frontier",
    "https://tridao.me/blog/2024/flash3/"), "FlashAttention-3 论文以及 GitHub 上用于 Beta 测试的源代码")
add("2024-07-09", "deepmind-jest", "谷歌 DeepMind 新算法 JEST 训练提效 13 倍，能耗暴降 10 倍", prose(393, 401),
    "新智元", "tech_frontier", "https://arxiv.org/abs/2406.17711")

# ---------------------------------------------------------------- policy frontier and core-view news
add("2024-07-02", "ai-standardization-guide-2024", "关于印发国家人工智能产业综合标准化体系建设指南(2024版)的通知",
    ["2024年7月2日，工业和信息化部、中央网络安全和信息化委员会办公室、国家发展和改革委员会、国家标准化管理委员会"
     "印发《国家人工智能产业综合标准化体系建设指南(2024版)》。", "《指南》" + row(408)[-1].strip() + "。"],
    "工业和信息化部", "policy")
add("2024-07-04", "yangtze-delta-ai-plus-consortium", "长三角人工智能+产业创新联合体正式成立",
    prose(414, 414), "新华网", "policy")
add("2024-07-11", "computing-interconnect-platform", "国内首个算力互联公共平台发布", prose(416, 416),
    "中国新闻网", "policy")
add("2024-07-21", "third-plenum-decision", "《中共中央关于进一步全面深化改革推进中国式现代化的决定》发布",
    ["7月21日，《中共中央关于进一步全面深化改革推进中国式现代化的决定》发布，报告中提出要健全因地制宜发展新质生产力体制机制；"
     "健全促进实体经济和数字经济深度融合制度；健全提升产业链供应链韧性和安全水平制度。",
     "《决定》提出要“抓紧打造自主可控的产业链供应链”，为全会报告中唯一采用“抓紧”表述。",
     "三中全会提出深化财税体制改革，健全有利于高质量发展、社会公平、市场统一的税收制度，优化税制结构。"],
    "新华网", "policy")
add("2024-07-03", "vehicle-road-cloud-pilot-cities", "五部门公布智能网联汽车“车路云一体化”应用试点城市",
    ["7月3日，工信部等五部门正式公布将在北京、上海、广州、深圳、重庆、沈阳等20个城市开展智能网联汽车“车路云”一体化应用试点。"],
    "工业和信息化部", "policy")
add("2024-07-11", "baidu-apollo-go-robotaxi", "萝卜快跑无人驾驶出租车快速走红",
    ["随着车路云一体化应用试点推进，百度旗下的萝卜快跑无人驾驶出租车快速走红。",
     "百度今年5月公布的第一季度财报显示，萝卜快跑的自动驾驶订单约82.6万单，同比增长25%，截至2024年4月19日，"
     "萝卜快跑累计订单超过600万单。"],
    "澎湃新闻", "policy")
add("2024-07-24", "fiscal-tax-digitalization-market", "三中全会提出深化财税体制改革，财税数字化市场规模2025年将达702亿元",
    ["三中全会提出深化财税体制改革，健全有利于高质量发展、社会公平、市场统一的税收制度，优化税制结构。",
     "根据艾瑞咨询预测，2025年中国财税数字化市场规模将达702亿元。"],
    "艾瑞咨询", "policy")

# ---------------------------------------------------------------- products (full text)
add("2024-07-19", "nvidia-mistral-nemo", "英伟达联合 Mistral AI 发布了可在本地硬件上高效运行的 to B 端 AI 大语言模型",
    prose(424, 426), "IT之家", "product", "https://mistral.ai/news/mistral-nemo/")
figures(add("2024-07-07", "cancong-flashhub-waic", "蚕丛机器人在 2024 WAIC 发布智能双模充电桩（FlashHub）",
            prose(430, 449), "中国机器人网", "product"), "蚕丛机器人 FlashHub 示例图")
figures(add("2024-07-15", "kunlun-cradle-agent", "昆仑万维等发布通用 Agent 新框架——Cradle", prose(453, 485),
            "新智元", "product", "https://baai-agents.github.io/Cradle"),
        "Cradle 对电脑交互原始输入输出的合理封装和抽象", "Cradle 强大的决策推理模块",
        "Cradle 在日常软件应用的各项任务执行上表现不俗")
figures(add("2024-07-21", "small-models-apple-dclm", "OpenAI、Mistral AI & 英伟达、HuggingFace 竞逐小模型，苹果 DCLM 全开源",
            prose(492, 508), "新智元", "product"), "苹果基础模型概览", "2024 年全球发布的 5 个领先的小模型")
add("2024-07-10", "aitomatic-semikong", "全球首个芯片设计开源大模型 SemiKong，革新半导体工艺和制造技术",
    prose(525, 527), "36氪", "product")
figures(add("2024-07-13", "cau-shennong-2", "中国农业大学发布“神农大模型 2.0”：覆盖育种、种植、养殖、农业遥感及气象",
            prose(531, 539, join=False), "中国农业大学新闻网", "product"), "神农大模型 2.0 功能升级与场景应用")

# ---------------------------------------------------------------- funding (table 12)
FUNDING_SOURCES = {"百川智能": "证券时报", "元石科技": "腾讯新闻", "芯盟科技": "IT桔子", "感图科技": "来觅研究院",
                   "蚂蚁工场": "企查查"}
UNCATEGORISED_FUNDING = {"芯盟科技", "元鼎智能"}
FUNDING_SLUG = {"鲸鱼机器人": "whale-robot", "百川智能": "baichuan", "橡鸮科技": "xiangxiao", "感图科技": "gantu",
                "元石科技": "yuanshi", "蚂蚁工场": "mayi-gongchang", "蚌壳智能": "bangke", "元鼎智能": "yuanding",
                "逐际动力": "limx-dynamics", "芯盟科技": "xinmeng", "硅基流动": "siliconflow"}
for line in range(552, 563):
    name, track, intro, day, rnd, amount, investors = (c.strip() for c in row(line))
    y, m, d = (int(x) for x in day.split("/"))
    iso = f"{y:04d}-{m:02d}-{d:02d}"
    deal = rnd if rnd.endswith("融资") else f"{rnd}融资"
    body = [f"{name}完成{deal}，融资金额{amount}，本轮投资方：{investors.rstrip('。')}。",
            "\n".join([f"融资方：{name}", f"赛道：{track}", f"简介：{intro}", f"融资日期：{day}",
                       f"融资轮次：{rnd}", f"融资金额：{amount}", f"本轮投资方：{investors}"])]
    add(iso, f"{FUNDING_SLUG[name]}-funding", f"{name}完成{deal}，融资金额{amount}", body,
        FUNDING_SOURCES.get(name, "36氪"), None if name in UNCATEGORISED_FUNDING else "funding")
