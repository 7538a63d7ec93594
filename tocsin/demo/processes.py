"""Run several child processes together until Ctrl-C, then stop them all cleanly."""

import contextlib
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

GRACE_SECONDS = 8.0


@dataclass
class Child:
    name: str
    command: list[str]
    # The child's whole environment; None: this process's own.
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = None


def run_together(children: list[Child], write=print) -> int:
    """Start every child, wait until one exits or we are told to stop, then stop the rest.

    Children run in their own process group, so a Ctrl-C in the terminal reaches only us and
    each child is asked to stop exactly once (SIGINT: finish what it is doing), then
    terminated and finally killed if it does not. Return the exit code to leave with.
    """
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    exit_code = 0
    try:
        for child in children:
            child.process = subprocess.Popen(child.command, env=child.env, process_group=0)  # noqa: S603
        while not stop.wait(0.2):
            ended = [
                (child.name, child.process)
                for child in children
                if child.process is not None and child.process.poll() is not None
            ]
            if ended:
                name, process = ended[0]
                exit_code = process.returncode or 1
                write(f"{name} stopped (exit code {process.returncode}); stopping the others.")
                break
    finally:
        stop_all(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_code


def stop_all(children: list[Child]) -> None:
    running = [c.process for c in children if c.process is not None and c.process.poll() is None]
    for sig, grace in ((signal.SIGINT, GRACE_SECONDS), (signal.SIGTERM, 2.0)):
        for process in running:
            process.send_signal(sig)
        deadline = time.monotonic() + grace
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
        running = [process for process in running if process.poll() is None]
        if not running:
            return
    for process in running:
        process.kill()
        process.wait()
