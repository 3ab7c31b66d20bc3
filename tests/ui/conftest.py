"""UI fixtures: a seeded SQLite review store and AppTest apps signed in as a given role."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "review"))
sys.path.insert(0, str(ROOT / "ui"))

from review_factories import seed  # noqa: E402

from assistant.review import ReviewService, UserView  # noqa: E402

APP = str(ROOT / "ui" / "app.py")
Seeded = tuple[ReviewService, dict[str, UserView], int]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setenv("RA_DATABASE_URL", url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return seed(url, tmp_path / "out")


@pytest.fixture
def app_as(store: Seeded) -> Callable[..., AppTest]:
    _service, users, _report_id = store

    def build(role: str | None, page: str | None = None, **state: object) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if role is not None:
            at.session_state["user"] = users[role].model_dump()
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return build
