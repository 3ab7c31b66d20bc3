"""Evaluation of drafts against a gold report: quality figures for tests and benches."""

from assistant.evaluation.quality import QualityGold, QualityScore, evaluate_quality, load_gold

__all__ = ["QualityGold", "QualityScore", "evaluate_quality", "load_gold"]
