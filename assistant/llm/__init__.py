"""Chat models from settings, the model-call log, and the OpenAI-compatible drafting engine."""

from assistant.llm.calllog import CallLog, CallRecord
from assistant.llm.engine import OpenAIEngine
from assistant.llm.factory import estimate_cost, make_chat_model

__all__ = ["CallLog", "CallRecord", "OpenAIEngine", "estimate_cost", "make_chat_model"]
