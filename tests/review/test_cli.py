"""``users``, ``load`` and ``ui`` commands through the real CLI dispatcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_factories import make_report, write_out_dir

from assistant.cli import main
from assistant.cli.ui import build_command
from assistant.review import ReviewService, authenticate, init_db


def test_users_add_list_and_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    assert main(["users", "--db", db, "add", "张编辑", "--role", "editor", "--password", "secret-pass-1"]) == 0
    monkeypatch.setenv("RA_PASSWORD", "another-pass-2")
    assert main(["users", "--db", db, "add", "李分析", "--role", "analyst"]) == 0
    assert main(["users", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "张编辑" in out and "分析师" in out
    engine = init_db(db)
    assert authenticate(engine, "李分析", "another-pass-2") is not None

    out_dir = write_out_dir(tmp_path / "out", make_report())
    editor_password = tmp_path / "editor.pw"
    editor_password.write_text("secret-pass-1\n", encoding="utf-8")
    assert main(["load", str(out_dir), "--db", db, "--as", "张编辑", "--password-file", str(editor_password)]) == 1
    assert "无权导入" in capsys.readouterr().err  # editors may not import
    assert main(["load", str(out_dir), "--db", db, "--as", "李分析"]) == 0  # RA_PASSWORD is 李分析's
    assert "3 个章节" in capsys.readouterr().out
    service = ReviewService(engine)
    assert [s.current_version for s in service.sections(service.list_reports()[0].id)] == [1, 1, 1]
    assert main(["load", str(tmp_path / "missing"), "--db", db]) == 1
    assert "report.json" in capsys.readouterr().err


def test_users_add_refuses_a_short_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "add", "x", "--role", "admin", "--password", "123", "--db", str(tmp_path / "c.db")]) == 1
    assert "password" in capsys.readouterr().err


def test_ui_command_runs_streamlit_headless_on_the_given_port() -> None:
    command = build_command(Path("ui/app.py"), 8600, "127.0.0.1")
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.headless") + 1] == "true"
