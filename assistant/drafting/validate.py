"""The inputs of a draft, validated as ``draft_report`` validates them, for callers that queue the work.

``jobs submit`` (and the UI's 新建草稿) run this before a job row exists, so a folder without ``pack.yaml``, a
malformed outline or an unreadable corpus is refused at once with the same message ``draft`` gives, instead of
failing in a worker later (and again on every retry).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.corpus import read_corpus
from assistant.drafting.template import load_template
from assistant.drafting.views import apply_outline
from assistant.outline import load_outline
from assistant.pack import load_pack
from assistant.settings import Settings

__all__ = ["InputSummary", "validate_inputs"]


class InputSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: str
    items: int
    skipped: int
    outline: bool
    sections: int


def validate_inputs(pack_dir: Path, corpus_path: Path, settings: Settings) -> InputSummary:
    """Read the pack, its outline, the corpus and the template in ``draft_report``'s order; raise its errors."""
    pack = load_pack(Path(pack_dir))
    outline = load_outline(Path(pack_dir), pack)
    corpus = read_corpus(Path(corpus_path))
    template = load_template(settings.template)
    sections = apply_outline(template.sections, outline)
    return InputSummary(month=str(pack.config.month), items=len(corpus.items), skipped=len(corpus.skipped),
                        outline=outline is not None, sections=len(sections))
