"""Labelled retrieval queries over the July 2024 window."""
import seed_items as S

ID = {i["id"].split("-", 3)[3][: -len(S.PUB[i["source"]]) - 1]: i["id"] for i in S.ITEMS}  # slug -> id


def q(query, slugs, category=None):
    rel = []
    for s in slugs:
        hits = [v for k, v in ID.items() if k == s]
        if len(hits) != 1:
            raise SystemExit(f"{s}: {hits}")
        rel.append(hits[0])
    out = {"query": query, "relevant": rel, "from": "2024-07-01", "to": "2024-07-31"}
    if category:
        out["category"] = category
    return out


LLAMA = ["meta-llama-3-1", "meta-llama-3-1-rewrite"]
QUERIES = [
    q("FlashAttention-3 H100 利用率", ["flashattention3"], "tech_frontier"),
    q("FlashAttention-3 FP8 low precision attention on Hopper GPUs", ["flashattention3"]),
    q("JEST 训练提效", ["deepmind-jest"], "tech_frontier"),
    q("DeepMind joint example selection 13x fewer iterations", ["deepmind-jest"]),
    q("物理神经网络 PNN 高能耗 低吞吐率", ["pnn-physical-neural-networks"]),
    q("Training of Physical Neural Networks survey", ["pnn-physical-neural-networks"]),
    q("Llama 3.1 405B", LLAMA, "llm_foreign"),
    q("Meta 开源大模型 1.6万张 H100 训练", LLAMA),
    q("GPT-4o mini 价格 每百万输入 token", ["openai-gpt4o-mini"], "llm_foreign"),
    q("OpenAI small model cheaper than GPT-3.5 Turbo", ["openai-gpt4o-mini"]),
    q("Mistral Large 2 1230亿参数", ["mistral-large-2"], "llm_foreign"),
    q("微软 SpreadsheetLLM 电子表格大模型", ["microsoft-spreadsheetllm"]),
    q("Mistral NeMo 本地部署", ["nvidia-mistral-nemo"], "product"),
    q("NVIDIA Mistral NeMo 12B Apache 2.0 enterprise model", ["nvidia-mistral-nemo"]),
    q("小模型 竞逐 苹果 DCLM 全开源", ["small-models-apple-dclm"], "product"),
    q("DCLM-7B MMLU 5-shot", ["small-models-apple-dclm"]),
    q("Cradle 通用 Agent 框架 控制键盘鼠标", ["kunlun-cradle-agent"], "product"),
    q("蚕丛机器人 FlashHub 充电桩", ["cancong-flashhub-waic"], "product"),
    q("SemiKong 芯片设计开源大模型", ["aitomatic-semikong"], "product"),
    q("semiconductor industry LLM Aitomatic FPT Software", ["aitomatic-semikong"]),
    q("神农大模型 2.0 育种 养殖", ["cau-shennong-2"], "product"),
    q("amazon AI chip cost half of nvidia", ["amazon-ai-chip-half-nvidia-cost"], "compute"),
    q("Tenstorrent RISC-V", ["tenstorrent-wormhole-risc-v"], "compute"),
    q("OpenAI 博通 自研 AI 芯片", ["openai-broadcom-ai-chip"], "compute"),
    q("三星 2 纳米 AI 加速芯片 Preferred Networks", ["samsung-2nm-ai-chip-pfn"]),
    q("生数科技 Vidu 视频大模型 全球上线", ["shengshu-vidu-global-launch"], "llm_domestic"),
    q("谛听 地震波大模型", ["diting-seismic-wave-model"], "llm_domestic"),
    q("讯飞星火 Spark Pro-128K 长文本", ["iflytek-spark-pro-128k"], "llm_domestic"),
    q("粉笔 职教垂域大模型 AI 老师", ["fenbi-fenbitou-vertical-model"]),
    q("上体体育大模型 巴黎奥运会备战", ["sus-sports-model"], "llm_domestic"),
    q("病理大模型 PathOrchestra 商汤医疗", ["sensetime-pathorchestra"]),
    q("国产大模型 7月 发布 动态", ["shengshu-vidu-global-launch", "diting-seismic-wave-model",
                                  "iflytek-spark-pro-128k", "fenbi-fenbitou-vertical-model", "sus-sports-model",
                                  "sensetime-pathorchestra"], "llm_domestic"),
    q("上海数据交易所 公共数据专区", ["sdex-public-data-zone"], "data_exchange"),
    q("上海数据交易所 碳板块 碳排放数据", ["sdex-carbon-board"]),
    q("Neudata 全球数商招募计划", ["sdex-neudata-global-data-merchants"]),
    q("河南 数据要素× 行动实施方案 算力基础设施", ["henan-data-elements-x"], "data_policy"),
    q("国家数据局 全国一体化算力网 数据要素市场化配置改革", ["scio-data-bureau-briefing"]),
    q("济南 数据要素枢纽型城市 数商企业", ["jinan-data-hub-city"]),
    q("中国联通 数据要素开放合作计划", ["china-unicom-data-elements-plan"]),
    q("杭州数据要素运营中心 可信操作空间", ["hangzhou-data-operation-center"]),
    q("南京江宁 数据产业生态联盟", ["nanjing-jiangning-data-alliance"]),
    q("数据要素纳入承保评审服务 数字贸易", ["four-ministries-digital-trade"]),
    q("广州市数据条例 统计核算体系", ["guangzhou-data-regulation-draft"]),
    q("2024WAIC 产业数据要素流通与应用论坛", ["waic-data-elements-forum"]),
    q("国家人工智能产业综合标准化体系建设指南", ["ai-standardization-guide-2024"], "policy"),
    q("车路云一体化 试点城市", ["vehicle-road-cloud-pilot-cities"], "policy"),
    q("萝卜快跑 自动驾驶订单", ["baidu-apollo-go-robotaxi"]),
    q("三中全会 新质生产力 自主可控 产业链供应链", ["third-plenum-decision"], "policy"),
    q("财税数字化 市场规模 艾瑞咨询", ["fiscal-tax-digitalization-market"]),
    q("算力互联公共平台", ["computing-interconnect-platform"]),
    q("长三角 人工智能+ 产业创新联合体", ["yangtze-delta-ai-plus-consortium"]),
    q("百川智能 A轮 融资", ["baichuan-funding"], "funding"),
    q("人形机器人 融资 逐际动力", ["limx-dynamics-funding"], "funding"),
    q("硅基流动 AI Infra 天使+轮", ["siliconflow-funding"]),
    q("元石科技 问小白 Pre-A", ["yuanshi-funding"]),
    q("机器人公司 7月 融资", ["whale-robot-funding", "xiangxiao-funding", "yuanding-funding",
                            "limx-dynamics-funding"], "funding"),
    q("AI chip startup raises billions B++ round heterogeneous integration", ["xinmeng-funding"]),
    q("大模型公司 融资 7月", ["baichuan-funding", "yuanshi-funding", "bangke-funding"], "funding"),
    q("感图科技 计算机视觉 外观检测 C2 轮", ["gantu-funding"], "funding"),
    q("industrial internet platform Mayi Gongchang C++ round Yizhuang", ["mayi-gongchang-funding"]),
    q("开源大模型 Apache 2.0 商用许可", ["nvidia-mistral-nemo", "small-models-apple-dclm"]),
    q("WAIC 2024 世界人工智能大会 发布", ["cancong-flashhub-waic", "sensetime-pathorchestra",
                                       "waic-data-elements-forum"]),
]
