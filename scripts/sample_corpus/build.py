"""Regenerates assistant/data/sample/corpus.jsonl and queries.yaml from the seed: python scripts/sample_corpus/build.py"""

import json
from pathlib import Path

import distractors  # noqa: F401  (registers distractor items)
import queries as Q
import seed_items as S

OUT = Path(__file__).resolve().parents[2] / "assistant" / "data" / "sample"
items = sorted(S.ITEMS, key=lambda i: (i["date"], i["id"] == S.LLAMA_DUP, i["id"]))
keys = ("id", "date", "title", "body", "source", "url", "category", "images")
with (OUT / "corpus.jsonl").open("w", encoding="utf-8") as fh:
    for it in items:
        fh.write(json.dumps({k: it[k] for k in keys if k in it}, ensure_ascii=False) + "\n")


def yq(s):
    return json.dumps(s, ensure_ascii=False)


lines = [
    "# Labelled retrieval queries for the bundled July 2024 sample corpus (corpus.jsonl beside this file).",
    "# Each query lists the doc_ids that answer it inside its date window [from, to]; `category` is the section",
    "# filter a drafting stage would use. Validated by scripts/check_sample_corpus.py.",
]
for item in Q.QUERIES:
    lines.append(f"- query: {yq(item['query'])}")
    lines.append("  relevant:")
    lines += [f"    - {r}" for r in item["relevant"]]
    lines.append(f"  from: \"{item['from']}\"")
    lines.append(f"  to: \"{item['to']}\"")
    if "category" in item:
        lines.append(f"  category: {item['category']}")
(OUT / "queries.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(len(items), len(Q.QUERIES))
