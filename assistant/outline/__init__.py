"""The analyst's outline: ``views.yaml`` (theses, investment directions, risks) beside ``pack.yaml``."""

from assistant.outline.loader import VIEWS_FILE, OutlineError, load_outline
from assistant.outline.model import AdviceTheme, Outline, StockRef, Thesis

__all__ = ["VIEWS_FILE", "AdviceTheme", "Outline", "OutlineError", "StockRef", "Thesis", "load_outline"]
