"""``ui``: start the Streamlit review app (``streamlit run ui/app.py``) on a chosen port and database."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from assistant import PROJECT_DIR
from assistant.errors import ConfigError
from assistant.review import init_db, resolve_database_url

__all__ = ["HELP", "add_arguments", "build_command", "run"]

HELP = "启动审阅界面（Streamlit）"
APP_PATH = PROJECT_DIR / "ui" / "app.py"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认只在本机）")
    parser.add_argument("--db", help="数据库地址或 SQLite 文件路径")


def build_command(app: Path, port: int, host: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
            "--server.address", host, "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
            "--client.toolbarMode", "minimal"]


def run(args: argparse.Namespace, console: Console) -> int:
    if not APP_PATH.is_file():
        raise ConfigError(f"找不到界面脚本 {APP_PATH}")
    url = resolve_database_url(explicit=args.db)
    init_db(url).dispose()  # fail here, with a clear message, rather than inside the browser
    env = dict(os.environ, RA_DATABASE_URL=url)
    console.print(f"审阅界面：http://{args.host}:{args.port}  数据库：{url}", markup=False)
    return subprocess.call(build_command(APP_PATH, args.port, args.host), env=env)
