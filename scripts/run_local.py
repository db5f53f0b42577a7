"""Run the web server and one Celery worker with embedded beat; one Ctrl-C stops both.

``make run`` calls it after migrating. Each child runs in its own process group. On
Ctrl-C or SIGTERM, or when one child exits, this supervisor sends SIGTERM to each child
(a warm shutdown for Celery, which stops its own pool and beat), waits a grace period,
then SIGKILLs whatever is left in each group (runserver's autoreloader child).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
GRACE_SECONDS = 15
ADDRESS = os.environ.get("KEYPORT_ADDRESS", "127.0.0.1:8000")


def commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "manage.py", "runserver", ADDRESS],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--beat",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--schedule={VAR / 'celerybeat-schedule'}",
        ],
    }


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child (Celery stops its own pool), wait for the grace period, then
    SIGKILL whatever is left in its group (runserver's autoreloader child, a stuck task)."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        _kill_group(child)
        child.wait()


def main() -> int:
    (VAR / "celery-queue").mkdir(parents=True, exist_ok=True)
    children = {
        name: subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603
        for name, cmd in commands().items()
    }

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        gone = [name for name, child in children.items() if child.poll() is not None]
        print(f"{', '.join(gone)} stopped; stopping the rest.", file=sys.stderr)
    except KeyboardInterrupt:
        print("Stopping web server and worker...", file=sys.stderr)
    stop(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
