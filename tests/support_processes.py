"""Real processes for the production smoke test: started in their own process groups, logged
to files (shown when something fails), and always stopped the way compose stops them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support_compose import ROOT

STOP_GRACE_SECONDS = 15
LOG_TAIL_CHARS = 4000


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} (exit {self.popen.poll()}) ---\n{text[-LOG_TAIL_CHARS:]}"


@dataclass
class Processes:
    """The processes of one test run; ``fail`` shows every log so CI output explains itself."""

    env: dict[str, str]
    log_dir: Path
    running: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: list[str]) -> Process:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as output:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.running.append(process)
        return process

    def run(
        self, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def check(
        self, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 60
    ) -> str:
        result = self.run(argv, env=env, timeout=timeout)
        if result.returncode != 0:
            self.fail(f"{' '.join(argv[1:])} exited {result.returncode}:\n{result.stderr}")
        return result.stdout

    def wait_until(self, what: str, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; fail early (with logs) when a process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            dead = [p.name for p in self.running if p.popen.poll() is not None]
            if dead:
                self.fail(f"{', '.join(dead)} exited while waiting for {what}")
            time.sleep(0.5)
        self.fail(f"{what} did not happen within {timeout:.0f}s")

    def healthy(self, argv: list[str]) -> bool:
        return self.run(argv, timeout=30).returncode == 0

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.running)

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n{self.logs()}", pytrace=False)

    def stop_all(self) -> None:
        """SIGTERM every group (Celery's warm shutdown, gunicorn's graceful stop), wait, then
        SIGKILL what is left, children included."""
        for process in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()
