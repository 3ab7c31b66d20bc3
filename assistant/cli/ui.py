"""``ui``: start the Streamlit review app (``streamlit run ui/app.py``) on a chosen port and database, with one
embedded job worker (``python -m assistant worker``) beside it unless ``--no-worker``.

The worker is a process of its own, not a thread of Streamlit: a draft or regeneration keeps running whatever the
browser sessions do, and the same command scales out by starting more workers elsewhere. It is stopped with the
UI (SIGTERM, then SIGKILL after ``jobs_worker_stop_s``); a job it was running is taken up again by the next worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from rich.console import Console

from assistant import PROJECT_DIR
from assistant.errors import ConfigError
from assistant.review import init_db, resolve_database_url
from assistant.settings import Settings, get_settings

__all__ = ["HELP", "add_arguments", "build_command", "run", "start_worker", "stop_process"]

HELP = "启动审阅界面（Streamlit），并在旁边启动一个任务工作进程"
APP_PATH = PROJECT_DIR / "ui" / "server.py"  # st.App: app.py plus the HttpOnly session-cookie route


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认只在本机）")
    parser.add_argument("--db", help="数据库地址或 SQLite 文件路径")
    parser.add_argument("--no-worker", action="store_true",
                        help="不启动内嵌的任务工作进程（另行运行 python -m assistant worker）")


def build_command(app: Path, port: int, host: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
            "--server.address", host, "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
            "--client.toolbarMode", "minimal",
            # an unexpected error shows a generic message in the browser; the traceback goes to the console only
            "--client.showErrorDetails", "none"]


def start_worker(url: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:  # the child keeps its own handle; ours is not needed after the start
        return subprocess.Popen([sys.executable, "-m", "assistant", "worker", "--db", url], env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop_process(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds; returns its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def _worker_log(settings: Settings) -> Path:
    return Path(settings.jobs_dir).expanduser().resolve() / "embedded-worker.log"


def run(args: argparse.Namespace, console: Console) -> int:
    if not APP_PATH.is_file():
        raise ConfigError(f"找不到界面脚本 {APP_PATH}")
    url = resolve_database_url(explicit=args.db)
    init_db(url).dispose()  # fail here, with a clear message, rather than inside the browser
    settings = get_settings()
    env = dict(os.environ, RA_DATABASE_URL=url)
    console.print(f"审阅界面：http://{args.host}:{args.port}  数据库：{url}", markup=False, soft_wrap=True)
    worker: subprocess.Popen[bytes] | None = None
    if settings.jobs_embedded_worker and not args.no_worker:
        log = _worker_log(settings)
        worker = start_worker(url, env, log)
        console.print(f"内嵌任务工作进程 pid {worker.pid}，日志：{log}", markup=False, highlight=False, soft_wrap=True)
    else:
        console.print("未启动内嵌任务工作进程：请另行运行 python -m assistant worker，否则任务会一直排队",
                      markup=False)
    ui = subprocess.Popen(build_command(APP_PATH, args.port, args.host), env=env)

    def forward(signum: int, _frame: FrameType | None) -> None:
        # Being stopped with SIGTERM must not orphan the worker: end Streamlit, then fall through to the cleanup.
        if ui.poll() is None:
            ui.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        return ui.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches Streamlit too (same process group); wait for it to finish
        return stop_process(ui, settings.jobs_worker_stop_s)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None:
            code = stop_process(worker, settings.jobs_worker_stop_s)
            console.print(f"内嵌任务工作进程已停止（退出码 {code}）", markup=False)
